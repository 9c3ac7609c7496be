"""Telegram files: a reply's attachments after its text, one sendDocument (multipart upload) each.

sendDocument keeps a file as it is (sendPhoto would recompress a PNG chart), with its filename.
Bots may upload at most 50 MB per file; Telegram refuses empty files ("file must be non-empty"),
so both are left out with a note under the text. No captions: the text goes as its own message.
Telegram has no messages only one member sees: the files of a reply meant for one member
(`ephemeral_user`) go to that member's private chat with the bot, never into a group, whatever
path the reply takes (an answer, the outbox and its retries, a button press).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial
from html import escape
from typing import TypeVar

from telegram import Bot, InputFile, Message
from telegram.error import TelegramError

from adapters.telegram.api import TOO_LARGE, chat_id_of
from adapters.telegram.render import MAX_MESSAGE, tg_len
from bot.delivery.files import MB, refuse, safe_mime, safe_name, too_large_note
from bot.messages import Attachment, ChatRef, Posted, Reply
from bot.texts import t

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_UPLOAD = 50 * MB  # the Bot API's limit for files a bot uploads

# The adapter's retried Bot API call: (method, question id, request) -> result.
Caller = Callable[[str, int | None, Callable[[], Awaitable[Message]]], Awaitable[Message]]


def with_notes(reply: Reply, notes: list[str]) -> Reply:
    """Notes under a reply: in its text, and under composed Telegram HTML while it fits one message."""
    if not notes:
        return reply
    text = "\n\n".join([reply.text.rstrip(), *notes]) if reply.text.strip() else "\n\n".join(notes)
    formatted = reply.formatted
    if formatted:
        noted = "\n\n".join([formatted, *(escape(n, quote=False) for n in notes)])
        formatted = noted if tg_len(noted) <= MAX_MESSAGE else ""  # else the plain text, which has them
    return replace(reply, text=text, formatted=formatted)


def private(reply: Reply) -> Reply:
    """Where the files of a reply meant for one member go: their private chat with the bot."""
    assert reply.ephemeral_user is not None
    return replace(reply, chat=ChatRef(reply.chat.platform, reply.ephemeral_user), reply_to=None)


def elsewhere(reply: Reply) -> bool:
    """Whether a reply is meant for one member but addressed to another chat (a group)."""
    return reply.ephemeral_user is not None and reply.chat.chat_id != reply.ephemeral_user


def destination(reply: Reply) -> Reply:
    """The reply as its files are sent: to the member's private chat when it is meant for them alone
    (a private chat's id is the member's user id)."""
    return private(reply) if elsewhere(reply) else reply


def rest_of(reply: Reply, left: tuple[Attachment, ...]) -> Reply:
    """What a retry of a partly sent reply sends: only the files that did not go."""
    return replace(reply, text="", formatted="", sources=(), buttons=(), files=left)


class TelegramFiles:
    """Sends the files of replies as documents, each call through the adapter's retrying caller."""

    def __init__(self, call: Caller) -> None:
        self.call = call
        self.max_file = MAX_UPLOAD

    def prepare(self, reply: Reply) -> Reply:
        """The reply without the files Telegram refuses (too large, empty), with notes for them."""
        if not reply.files:
            return reply
        reply = refuse(reply, self.max_file, empty_ok=False, platform="telegram", noter=with_notes)
        if reply.files and elsewhere(reply) and reply.text.strip():
            reply = with_notes(reply, [t("files_in_dm", reply.language)])  # the text says where they are
        return reply

    async def send(
        self, bot: Bot, reply: Reply, failures: list[str] | None = None
    ) -> tuple[list[Message], tuple[Attachment, ...]]:
        """Send the reply's files in its chat and topic (a private reply's: the member's private chat);
        the messages sent and the files that failed."""
        sent: list[Message] = []
        left: list[Attachment] = []
        refused: list[str] = []  # notes on files Telegram refused as too large
        to = destination(reply)
        topic = int(to.chat.thread_id) if to.chat.thread_id else None
        for f in reply.files:
            document = InputFile(f.data, filename=safe_name(f.name))
            document.mimetype = safe_mime(f.mime)  # ours is known; never a header break in the multipart body
            request = partial(
                bot.send_document,
                chat_id=chat_id_of(to.chat.chat_id),
                document=document,
                message_thread_id=topic,
            )
            try:
                sent.append(await self.call("sendDocument", reply.question_id, request))
            except TelegramError as e:
                log.error(
                    "Telegram: file %r to %s failed (question %s): %s",
                    f.name,
                    to.chat.chat_id,
                    reply.question_id,
                    e,
                )
                if TOO_LARGE in e.message.lower():  # HTTP 413: no retry fits it in; the member is told
                    refused.append(too_large_note(f, self.max_file, reply.language))
                    continue
                if failures is not None:
                    failures.append(f"{type(e).__name__}: {e.message}")
                left.append(f)
        if refused:
            note = partial(bot.send_message, chat_id_of(to.chat.chat_id), "\n\n".join(refused))
            try:
                sent.append(
                    await self.call("sendMessage", reply.question_id, partial(note, message_thread_id=topic))
                )
            except TelegramError as e:
                log.error("Telegram: the note on refused files to %s failed: %s", to.chat.chat_id, e)
        return sent, tuple(left)


def landed(messages: list[Message]) -> list[Posted]:
    """Where sent messages landed."""
    return [Posted(str(m.chat.id), str(m.message_id)) for m in messages]
