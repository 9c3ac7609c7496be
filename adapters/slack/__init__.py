"""Slack: Events API over HTTP or Socket Mode (slack-bolt), replies as Block Kit."""
