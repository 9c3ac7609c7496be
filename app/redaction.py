"""No token, secret or message body in any log line: a filter on every handler of the root logger."""

from __future__ import annotations

import logging
import re

from bot.config import Settings

# Token shapes, also when they are not the configured ones (a copied .env, a test token).
_PATTERNS = (
    re.compile(r"bot\d{5,}:[A-Za-z0-9_-]{20,}"),  # Telegram, as it appears in Bot API URLs
    re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}"),  # Telegram, bare
    re.compile(r"xox[abposr]-[A-Za-z0-9-]{10,}"),  # Slack bot/user tokens
    re.compile(r"xapp-[A-Za-z0-9-]{10,}"),  # Slack app-level tokens
    re.compile(r"sk-[A-Za-z0-9_-]{16,}"),  # OpenAI-style API keys
)


class Redact(logging.Filter):
    """Replace secrets in a record's final message with ***."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def clean(self, text: str) -> str:
        """The text with every known secret and token shape replaced."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        for pattern in _PATTERNS:
            text = pattern.sub("***", text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def secrets_of(settings: Settings) -> list[str]:
    """The configured secrets."""
    return [
        settings.slack_bot_token,
        settings.slack_app_token,
        settings.slack_signing_secret,
        settings.telegram_bot_token,
        settings.telegram_webhook_secret,
        settings.openai_api_key.get_secret_value(),
        settings.mistral_api_key.get_secret_value(),
    ]


def install(settings: Settings) -> None:
    """Redact secrets on every root handler, and keep chatty HTTP clients quiet below WARNING:
    httpx logs each request URL at INFO, and Telegram's URLs carry the bot token."""
    redact = Redact(secrets_of(settings))
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, Redact) for f in handler.filters):
            handler.addFilter(redact)
    for name in ("httpx", "httpcore", "slack_bolt", "slack_sdk"):
        logging.getLogger(name).setLevel(max(logging.getLogger(name).level, logging.WARNING))
