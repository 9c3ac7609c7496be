"""Slack files: a reply's attachments after its text, by Slack's external upload flow.

Per file files.getUploadURLExternal (filename, length) gives an upload URL and a file id; the bytes
are POSTed to that URL; one files.completeUploadExternal per reply shares them all in the channel
(and thread) of the text. files.upload is deprecated and not used. Needs the `files:write` scope.
Ephemeral messages cannot carry files: the files of a reply meant for one member go to that
member's DM with the bot (conversations.open), and the private text says so.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack.api import NETWORK_ERRORS, call, why
from adapters.slack.render import escape
from bot.delivery.files import refuse
from bot.delivery.outbox import PartlySent
from bot.messages import Attachment, ChatRef, Posted, Reply
from bot.texts import t

log = logging.getLogger(__name__)

MAX_FILE = 1024 * 1024 * 1024  # Slack's limit per uploaded file (1 GB)
UPLOAD_TIMEOUT = 60.0  # seconds for the bytes of one file to reach the upload URL
MAX_RETRY_WAIT = 60.0  # seconds: a longer Retry-After of the upload URL is cut to this

# The adapter's post: a reply's text in its channel (None when it failed, why: in failures).
Post = Callable[[Reply, list[str]], Awaitable[AsyncSlackResponse | None]]


def with_notes(reply: Reply, notes: list[str]) -> Reply:
    """Notes under a reply: in its text, and as a context block under composed Block Kit."""
    if not notes:
        return reply
    text = "\n\n".join([reply.text.rstrip(), *notes]) if reply.text.strip() else "\n\n".join(notes)
    formatted = reply.formatted
    if formatted:
        note = {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(" ".join(notes))}]}
        formatted = json.dumps([*json.loads(formatted), note])
    return replace(reply, text=text, formatted=formatted)


class SlackFiles:
    """Uploads and shares the files of replies through the Web API client of the adapter."""

    def __init__(self, client: AsyncWebClient, delays: tuple[float, ...]) -> None:
        self.client = client
        self.delays = delays
        self.max_file = MAX_FILE
        self.upload_timeout = UPLOAD_TIMEOUT

    def prepare(self, reply: Reply) -> Reply:
        """The reply without files Slack refuses (too large, empty), noted; private: where files go."""
        if not reply.files:
            return reply
        # Slack answers an error for an empty upload (slackapi/node-slack-sdk#1569): left out like Telegram's.
        reply = refuse(reply, self.max_file, empty_ok=False, platform="slack", noter=with_notes)
        if (
            reply.files
            and reply.ephemeral_user
            and reply.text.strip()
            and not reply.chat.chat_id.startswith("D")
        ):
            reply = with_notes(reply, [t("files_in_dm", reply.language)])
        return reply

    async def send(self, reply: Reply, post: Post) -> list[Posted]:
        """An outbox message, text then files; raises when nothing went, PartlySent when only files failed."""
        # PartlySent carries the files that did not go: the outbox retries those, never the text.
        failures: list[str] = []
        reply = self.prepare(reply)
        posted: list[Posted] = []
        channel = reply.chat.chat_id
        if reply.text.strip() or reply.formatted or not reply.files:  # a retry of files has no text
            sent = await post(reply, failures)
            if sent is None:
                raise RuntimeError(f"Slack: could not post to {reply.chat.chat_id}: {why(failures)}")
            channel = str(sent.get("channel") or channel)  # a DM to a user id lands in a D… channel
            if not reply.ephemeral_user:  # nothing anyone can reply to
                posted.append(Posted(channel, str(sent.get("ts") or "")))
        left = await self.share(reply, channel, failures)
        if left:
            rest = replace(
                reply,
                chat=ChatRef(reply.chat.platform, channel, reply.chat.thread_id),
                text="",
                formatted="",
                sources=(),
                buttons=(),
                files=left,
            )
            names = ", ".join(f.name for f in left)
            raise PartlySent(posted, rest, f"Slack: files {names} not shared in {channel}: {why(failures)}")
        return posted

    async def after(self, reply: Reply, sent: AsyncSlackResponse | None) -> None:
        """A direct reply's files after its text: where the text went (a private reply's: the DM).
        When the text did not go, a private reply's files still go to the DM (the member reads the
        text through response_url, if at all); any other reply's files are dropped, logged."""
        if not reply.files:
            return
        if sent is not None:
            await self.share(reply, str(sent.get("channel") or reply.chat.chat_id))
        elif reply.ephemeral_user:
            await self.share(reply, reply.chat.chat_id)
        else:
            log.error(
                "Slack: %d files of question %s not sent: their text did not go",
                len(reply.files),
                reply.question_id,
            )

    async def share(
        self, reply: Reply, channel: str, failures: list[str] | None = None
    ) -> tuple[Attachment, ...]:
        """Share the files where the text went (a private reply's: the member's DM); those that did not go."""
        if not reply.files:
            return ()
        failures = [] if failures is None else failures
        thread = reply.chat.thread_id or reply.reply_to
        user = reply.ephemeral_user or (channel if channel[:1] in ("U", "W") else None)
        if user is not None:
            opened = await call(self.client, "conversations_open", reply, self.delays, failures, users=user)
            found: Any = opened.get("channel") if opened is not None else None
            dm = str(found.get("id") or "") if isinstance(found, dict) else ""
            if not dm:
                log.error("Slack: no DM with %s for the files of question %s", user, reply.question_id)
                return reply.files
            channel, thread = dm, (thread if dm == channel else None)
        left = await self._upload(reply, channel, thread, failures)
        if left:
            log.error(
                "Slack: %d of %d files not shared in %s (question %s): %s",
                len(left),
                len(reply.files),
                channel,
                reply.question_id,
                why(failures),
            )
        return left

    async def _upload(
        self, reply: Reply, channel: str, thread: str | None, failures: list[str]
    ) -> tuple[Attachment, ...]:
        uploaded: list[tuple[int, str]] = []  # (index in reply.files, file id)
        for i, f in enumerate(reply.files):
            got = await call(
                self.client,
                "files_getUploadURLExternal",
                reply,
                self.delays,
                failures,
                filename=f.name,
                length=len(f.data),
            )
            if got is None or not got.get("upload_url") or not got.get("file_id"):
                continue
            if await self._post_bytes(str(got["upload_url"]), f, failures):
                uploaded.append((i, str(got["file_id"])))
        shared: set[int] = set()
        if uploaded:
            # One completion shares all the files in one message (Slack: at most one channel with thread_ts).
            args: dict[str, Any] = {
                "files": [{"id": fid, "title": reply.files[i].name} for i, fid in uploaded],
                "channel_id": channel,
            }
            if thread:
                args["thread_ts"] = thread
            done = await call(
                self.client, "files_completeUploadExternal", reply, self.delays, failures, **args
            )
            if done is not None:
                shared = {i for i, _ in uploaded}
        return tuple(f for i, f in enumerate(reply.files) if i not in shared)

    async def _post_bytes(self, url: str, f: Attachment, failures: list[str]) -> bool:
        """The file's raw bytes to its upload URL (no token: the URL is signed), retried like calls;
        a 429 waits as long as its Retry-After says (at most MAX_RETRY_WAIT)."""
        problem = ""
        for attempt in range(len(self.delays) + 1):
            wait = self.delays[attempt] if attempt < len(self.delays) else 0.0
            try:
                session = self.client.session
                if session is None or session.closed:
                    async with aiohttp.ClientSession() as own:
                        status, body, after = await _post(own, url, f, self.upload_timeout)
                else:
                    status, body, after = await _post(session, url, f, self.upload_timeout)
                if status == 200:
                    return True
                problem = f"upload of {f.name} answered HTTP {status}: {body[:200]}"
                if status < 500 and status != 429:
                    break  # a refusal a retry cannot change
                if status == 429 and after is not None:
                    wait = min(after, MAX_RETRY_WAIT)
            except NETWORK_ERRORS as exc:
                problem = f"upload of {f.name} failed: {exc or type(exc).__name__}"
            if attempt < len(self.delays):
                await asyncio.sleep(wait)
        log.warning("Slack: %s", problem)
        failures.append(problem)
        return False


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds; None when absent or not a number)."""
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and 0 <= seconds < float("inf") else None


async def _post(
    session: aiohttp.ClientSession, url: str, f: Attachment, timeout: float
) -> tuple[int, str, float | None]:
    headers = {"Content-Type": "application/octet-stream"}
    limit = aiohttp.ClientTimeout(total=timeout)
    async with session.post(url, data=f.data, headers=headers, timeout=limit) as resp:
        # The body is Slack's short answer ("OK - 123" or an error), never the file: safe to log.
        return resp.status, await resp.text(errors="replace"), retry_after(resp.headers.get("Retry-After"))
