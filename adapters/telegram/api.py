"""Bot API plumbing: calls that wait out flood control and retry network errors, ids and URLs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from telegram import Message
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError

from bot.messages import Reply

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_RETRY_WAIT = 60.0  # seconds: longer flood-control waits are cut to this
NETWORK_RETRIES = 3
FLOOD_RETRIES = 5
TOO_LARGE = "entity too large"  # how Telegram's HTTP 413 reads ("Request Entity Too Large")


def seconds(value: int | float | timedelta) -> float:
    """A Bot API duration (PTB gives seconds or a timedelta) in seconds."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def chat_id_of(chat_id: str) -> int | str:
    """A chat id as the Bot API takes it: numeric ids as numbers, @usernames as they are."""
    return int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id


def file_url(base_url: str) -> str | None:
    """The file download URL that belongs to a Bot API URL ending in /bot."""
    return base_url[: -len("bot")] + "file/bot" if base_url.endswith("/bot") else None


async def call(
    what: str,
    qid: int | None,
    request: Callable[[], Awaitable[T]],
    max_wait: float = MAX_RETRY_WAIT,
    backoff: float = 1.0,
) -> T:
    """A Bot API call that waits out flood control and retries network errors; raises on giving up."""
    floods = failures = 0
    while True:
        try:
            return await request()
        except RetryAfter as e:
            floods += 1
            if floods > FLOOD_RETRIES:
                raise
            wait = min(seconds(e.retry_after), max_wait)
            log.warning("Telegram flood control on %s (question %s): waiting %.0f s", what, qid, wait)
            await asyncio.sleep(wait)
        except BadRequest:
            raise  # a NetworkError subclass, but retrying will not help
        except NetworkError as e:  # includes TimedOut
            if TOO_LARGE in e.message.lower():
                raise  # HTTP 413 (PTB makes it a NetworkError): the same upload will not fit next time
            failures += 1
            if failures > NETWORK_RETRIES:
                raise  # the caller logs it with what it was for
            log.info("Telegram: %s failed (question %s), retrying: %s", what, qid, e)
            await asyncio.sleep(backoff * 2 ** (failures - 1))


def redact(text: str, token: str) -> str:
    """A Bot API error text without the bot token (the URLs in it carry the token)."""
    token = token.strip()
    return text.replace(token, "<token>") if token else text


def failed(reply: Reply, exc: TelegramError, failures: list[str] | None) -> Message | None:
    """Log a failed send and keep why (for the outbox row's error); no message, so None."""
    log.error("Telegram: send to %s failed (question %s): %s", reply.chat.chat_id, reply.question_id, exc)
    if failures is not None:
        failures.append(f"{type(exc).__name__}: {exc.message}")
    return None
