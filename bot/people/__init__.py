"""People: accounts on each platform, linked into one person, their roles, and the audit log."""
