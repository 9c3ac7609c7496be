"""Announcements: moderators speak to every channel at once, now or later; edited and withdrawn."""
