"""The full stack on one machine: a free local port and settings with both platforms on the fakes."""

from __future__ import annotations

import socket
from typing import Any

from app.runtime import Runtime
from bot.config import Settings
from support.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack
from support.fake_telegram import BASE_URL, TOKEN

WEBHOOK_SECRET = "fullstack_Secret-42"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stack_settings(rt: Runtime, slack: FakeSlack, **overrides: Any) -> Settings:
    """Both platforms configured: Slack over HTTP to the fake, Telegram by webhook; one local port."""
    values: dict[str, Any] = dict(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.url,
        slack_mode="http",
        telegram_bot_token=TOKEN,
        telegram_api_url=BASE_URL,
        telegram_webhook_url="https://bot.example.org/telegram/webhook",
        telegram_webhook_secret=WEBHOOK_SECRET,
        http_host="127.0.0.1",
        http_port=free_port(),
        route_experts=1,  # one expert per question: which platform an offer goes to is the point here
    )
    return rt.settings.model_copy(update={**values, **overrides})
