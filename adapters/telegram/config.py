"""Telegram settings checked offline: the one credential check (no python-telegram-bot import)."""

from __future__ import annotations

import re

from bot.config import Settings

TOKEN = re.compile(r"^[0-9]{3,20}:[A-Za-z0-9_-]{20,100}$")  # <bot id>:<secret>, as @BotFather gives it
SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as a webhook secret token


def problems(settings: Settings) -> list[str]:
    """What is missing or malformed in the Telegram settings, one line per problem."""
    found: list[str] = []
    token = settings.telegram_bot_token.strip()
    if not token:
        found.append("VERBINDER_TELEGRAM_BOT_TOKEN is not set (create a bot with @BotFather)")
    elif not TOKEN.match(token):
        found.append(
            "VERBINDER_TELEGRAM_BOT_TOKEN is malformed (expected <bot id>:<secret> as given by @BotFather)"
        )
    if not settings.telegram_api_url.startswith(("https://", "http://")):
        found.append("VERBINDER_TELEGRAM_API_URL must be an http(s) URL")
    if settings.telegram_webhook_url.strip():
        if not settings.telegram_webhook_url.startswith("https://"):
            found.append(
                "VERBINDER_TELEGRAM_WEBHOOK_URL must be an https:// URL (leave it empty for long polling)"
            )
        secret = settings.telegram_webhook_secret
        if not secret:
            found.append(
                "VERBINDER_TELEGRAM_WEBHOOK_SECRET is required when VERBINDER_TELEGRAM_WEBHOOK_URL is set"
            )
        elif not SECRET.match(secret):
            found.append(
                "VERBINDER_TELEGRAM_WEBHOOK_SECRET may only contain A-Z, a-z, 0-9, _ and - (1-256 characters)"
            )
    return found
