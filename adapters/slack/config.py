"""Slack settings checked offline: the mode, and the one credential check (no Slack SDK import)."""

from __future__ import annotations

from bot.config import Settings


def slack_mode(settings: Settings) -> str:
    """socket or http: explicit, else socket when an app token is set."""
    if settings.slack_mode != "auto":
        return settings.slack_mode
    return "socket" if settings.slack_app_token else "http"


def problems(settings: Settings) -> list[str]:
    """What is missing or malformed in the Slack settings, one line per problem."""
    found: list[str] = []
    mode = slack_mode(settings)
    if not settings.slack_bot_token:
        found.append("VERBINDER_SLACK_BOT_TOKEN is missing (the bot token, xoxb-…).")
    elif not settings.slack_bot_token.startswith("xoxb-"):
        found.append("VERBINDER_SLACK_BOT_TOKEN must be a bot token starting with xoxb-.")
    if mode == "socket" and not settings.slack_app_token.startswith("xapp-"):
        found.append(
            "VERBINDER_SLACK_APP_TOKEN must be an app-level token (xapp-…) for Socket Mode; "
            "or set VERBINDER_SLACK_MODE=http with VERBINDER_SLACK_SIGNING_SECRET."
        )
    if mode == "http" and not settings.slack_signing_secret:
        found.append("VERBINDER_SLACK_SIGNING_SECRET is missing (needed for the HTTP Events API).")
    return found
