"""Slack Web API plumbing: the client with retry handlers, retried calls, request signing."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import Any

import aiohttp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.config import Settings
from bot.messages import Reply

log = logging.getLogger(__name__)

# Errors a retry cannot fix (everything else, and network errors, is retried).
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "msg_too_long",
        "no_text",
        "invalid_blocks",
        "invalid_blocks_format",
        "invalid_arguments",
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "missing_scope",
        "restricted_action",
        "user_not_in_channel",
        "cannot_dm_bot",
        "message_not_found",
        "cant_update_message",
        "cant_delete_message",
        "edit_window_closed",
    }
)
BLOCK_ERRORS = ("invalid_blocks", "invalid_blocks_format")
NETWORK_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError)


def make_client(settings: Settings) -> AsyncWebClient:
    """A Web API client for the configured base URL that honours 429 Retry-After and retries drops."""
    return AsyncWebClient(
        token=settings.slack_bot_token or None,
        base_url=settings.slack_api_url,
        logger=log,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
        ],
    )


def why(failures: list[str]) -> str:
    """The last reason a call failed, for an error message."""
    return failures[-1] if failures else "see the log"


def signed_headers(signing_secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends with a request body (HMAC-SHA256 v0 signature); for tests and benchmarks."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=ts, body=body) or ""
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


def error_code(exc: SlackApiError) -> str:
    """Slack's error code of a failed call (or the HTTP status when there is none)."""
    return str(exc.response.get("error") or exc.response.status_code)


async def call(
    client: AsyncWebClient,
    method: str,
    reply: Reply | None,
    delays: tuple[float, ...],
    failures: list[str] | None = None,
    **kwargs: Any,
) -> AsyncSlackResponse | None:
    """A Web API call retried on transient errors (429s by the client); None on failure (why: `failures`)."""
    qid = reply.question_id if reply is not None else None
    problem = ""
    for attempt in range(len(delays) + 1):
        try:
            return await getattr(client, method)(**kwargs)
        except SlackApiError as exc:
            error = error_code(exc)
            if error in BLOCK_ERRORS and "blocks" in kwargs:
                log.warning("%s rejected the blocks of question %s; sending text only", method, qid)
                kwargs.pop("blocks")
                continue
            if error in PERMANENT_ERRORS:
                log.warning("%s failed for question %s: %s", method, qid, error)
                if failures is not None:
                    failures.append(error)
                return None
            problem = error
        except NETWORK_ERRORS as exc:
            problem = str(exc) or type(exc).__name__
        if attempt < len(delays):
            log.info("%s failed (%s); retrying", method, problem)
            await asyncio.sleep(delays[attempt])
    log.error("%s failed for question %s after %d retries: %s", method, qid, len(delays), problem)
    if failures is not None:
        failures.append(problem)
    return None


class UserCache:
    """Members' display names and locales (users.info), remembered; cosmetic, so never slow."""

    SIZE = 5000

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._users: dict[str, tuple[str, str | None]] = {}

    def locale(self, user_id: str) -> str | None:
        """The locale of a member seen before (None if unknown)."""
        return self._users.get(user_id, ("", None))[1]

    async def get(self, user_id: str) -> tuple[str, str | None]:
        """A member's display name and locale; empty when Slack does not tell (within 3 s)."""
        if user_id in self._users:
            return self._users[user_id]
        try:
            info = await asyncio.wait_for(self.client.users_info(user=user_id, include_locale=True), 3)
            user = info.get("user") or {}
        except (SlackApiError, *NETWORK_ERRORS) as exc:
            log.info("users.info %s failed: %s", user_id, exc)
            return "", None
        profile = user.get("profile") or {}
        name = profile.get("display_name") or user.get("real_name") or user.get("name") or ""
        if len(self._users) >= self.SIZE:
            self._users.clear()
        self._users[user_id] = (str(name), user.get("locale"))
        return self._users[user_id]


class InFlight:
    """Counts the handlers at work (events, commands, presses), so a test or shutdown can wait for them."""

    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def track(self, work: Awaitable[object]) -> None:
        """Run one handler, counted."""
        self.count += 1
        self._idle.clear()
        try:
            await work
        finally:
            self.count -= 1
            if self.count == 0:
                self._idle.set()

    async def idle(self, timeout: float) -> bool:
        """Wait until nothing is at work; False on timeout."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
            return True
        except TimeoutError:
            return False


async def respond_safely(
    respond: AsyncRespond, text: str, blocks: list[dict[str, Any]], response_type: str
) -> None:
    """Answer through a command's or press's response_url; a failure is logged, never raised."""
    try:
        result = await respond(text=text, blocks=blocks, response_type=response_type, replace_original=False)
        if result.status_code >= 300:
            log.warning("response_url answered %s: %s", result.status_code, result.body)
    except (ValueError, *NETWORK_ERRORS) as exc:
        log.warning("responding through response_url failed: %s", exc)
