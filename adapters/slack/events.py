"""Slack payloads to the core's messages: message/app_mention events and block_actions presses."""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from typing import Any

from adapters.slack.render import plain_text
from bot.messages import Action, ChatRef, Incoming

log = logging.getLogger(__name__)

# <@U123ABC> or <@W123|anna>: how Slack writes a user mention in message and command text.
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")

# Message subtypes that carry something a member wrote; edits, deletions, joins, bot posts are not ours.
MEMBER_SUBTYPES = (None, "file_share", "thread_broadcast")


def strip_mentions(text: str, extra: tuple[str, ...] = ()) -> str:
    """Remove Slack user mentions and given @names from a message text."""
    text = MENTION.sub(" ", text)
    for name in extra:
        if name:
            text = re.sub(rf"@{re.escape(name)}\b", " ", text, flags=re.IGNORECASE)
    return " ".join(text.split())


def neutral_mentions(text: str) -> str:
    """Slack user mentions as the core reads a person: `<@U123|anna>` becomes `@U123`."""
    return " ".join(MENTION.sub(lambda m: f"@{m.group(1)}", text).split())


def command_text(raw: str, names_people: bool) -> str:
    """A slash command's argument as plain text: commands that name people (`/doorgeven 12 <@U123>`)
    keep them in the core's `@<user id>` form; other text (a question, an answer) loses mentions."""
    return plain_text(neutral_mentions(raw) if names_people else strip_mentions(raw))


def to_incoming(
    event: dict[str, Any], bot_user_id: str, answer_channels: Collection[str], mention: bool = False
) -> Incoming | None:
    """The core message for a message/app_mention event; None for what is never the bot's."""
    if event.get("subtype") not in MEMBER_SUBTYPES:
        return None  # edits, deletions, joins, bot posts: deliberate silence
    user = str(event.get("user") or "")
    if not user or event.get("bot_id") or user == bot_user_id:
        return None
    channel, ts = str(event.get("channel") or ""), str(event.get("ts") or "")
    thread_ts = str(event.get("thread_ts") or "")
    thread_ts = "" if thread_ts == ts else thread_ts
    raw = str(event.get("text") or "")
    direct = event.get("channel_type") == "im" or channel.startswith("D")
    mentioned = mention or bool(bot_user_id and f"<@{bot_user_id}" in raw)
    answer_channel = channel in answer_channels
    text = plain_text(strip_mentions(raw))
    if not (direct or mentioned or answer_channel or thread_ts):
        return None  # a plain channel message: not for the bot
    media = None
    if not text:
        if not (direct or mentioned):
            return None  # a file or an empty message in a channel: not a question
        if event.get("files") or event.get("subtype") == "file_share":
            media = "file"
    return Incoming(
        chat=ChatRef("slack", channel, thread_ts or None),
        message_id=ts,
        user_id=user,
        text=text,
        direct=direct,
        addressed=mentioned or answer_channel,
        reply_to=thread_ts or None,
        media=media,
    )


def to_action(body: dict[str, Any], action: dict[str, Any], language: str | None = None) -> Action | None:
    """The core Action for a block_actions press on one of our buttons (None if malformed)."""
    try:
        question_id = int(action.get("value") or "")
    except ValueError:
        log.warning("button %s without a question id: %r", action.get("action_id"), action.get("value"))
        return None
    container = body.get("container") or {}
    message = body.get("message") or {}
    user = body.get("user") or {}
    user_id = str(user.get("id") or "")
    channel = str((body.get("channel") or {}).get("id") or container.get("channel_id") or "")
    thread_ts = container.get("thread_ts") or message.get("thread_ts") or None
    message_ts = container.get("message_ts") or message.get("ts") or ""
    return Action(
        chat=ChatRef("slack", channel, thread_ts),
        user_id=user_id,
        action=str(action["action_id"]),
        question_id=question_id,
        event_id=f"{message_ts}:{action.get('action_ts', '')}:{user_id}",
        user_name=str(user.get("name") or user.get("username") or ""),
        language=language,
        trigger=str(body.get("trigger_id") or "") or None,  # opens a modal (edit, reject)
    )
