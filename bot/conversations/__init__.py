"""Conversations: the questions members asked, their lifecycle, and the messages that belong to them."""
