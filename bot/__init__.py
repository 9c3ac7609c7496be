"""Verbinder core: conversations, routing, highlights and persistence."""
