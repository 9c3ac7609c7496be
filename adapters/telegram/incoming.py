"""Telegram messages as the core's Incoming: who is addressed, commands, mentions, replies, topics."""

from __future__ import annotations

import re
from collections.abc import Collection

from telegram import Message, MessageEntity, User
from telegram.constants import ChatType

from bot.messages import ChatRef, Incoming

PLATFORM = "telegram"
COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?(?=\s|$)\s*(.*)$", re.DOTALL)
# Message content the bot cannot read, by PTB attribute -> Incoming.media.
MEDIA = (
    ("sticker", "sticker"),
    ("voice", "voice"),
    ("audio", "voice"),
    ("video_note", "voice"),
    ("photo", "file"),
    ("document", "file"),
    ("video", "file"),
    ("animation", "file"),
    ("location", "other"),
    ("venue", "other"),
    ("contact", "other"),
    ("poll", "other"),
    ("dice", "other"),
)


def _utf16(text: str) -> bytes:
    # surrogatepass: a lone surrogate (invalid, but JSON can carry one) is one UTF-16 unit, as
    # Telegram counts it; Incoming cleans it afterwards. PTB's parse_entities encodes strictly
    # and raised UnicodeEncodeError on such a text.
    return text.encode("utf-16-le", "surrogatepass")


def _entity_text(data: bytes, e: MessageEntity) -> str:
    """The text an entity covers (offsets and lengths in UTF-16 units)."""
    return data[2 * e.offset : 2 * (e.offset + e.length)].decode("utf-16-le", "surrogatepass")


def _cut(text: str, entities: Collection[MessageEntity]) -> str:
    """Remove entities (UTF-16 offsets, as Telegram counts) from a text."""
    data = _utf16(text)
    for e in sorted(entities, key=lambda e: e.offset, reverse=True):
        data = data[: 2 * e.offset] + " ".encode("utf-16-le") + data[2 * (e.offset + e.length) :]
    return re.sub(r"[ \t]{2,}", " ", data.decode("utf-16-le", "surrogatepass")).strip()


def to_incoming(
    message: Message, me: User, commands: Collection[str], edited: bool = False
) -> Incoming | None:
    """Translate a Telegram message into the core's Incoming; None when it is not for this bot."""
    chat, user = message.chat, message.from_user
    if user is None or chat.type == ChatType.CHANNEL:
        return None
    direct = chat.type == ChatType.PRIVATE
    username = (me.username or "").lower()
    raw = message.text or message.caption or ""
    data = _utf16(raw)
    entities = message.entities if message.text else message.caption_entities
    mentions = [
        e
        for e in entities
        if (e.type == MessageEntity.MENTION and _entity_text(data, e)[1:].lower() == username)
        or (e.type == MessageEntity.TEXT_MENTION and e.user is not None and e.user.id == me.id)
    ]
    addressed = direct or bool(mentions)
    text = _cut(raw, mentions)

    reply = message.reply_to_message
    if reply is not None and message.is_topic_message and reply.message_id == message.message_thread_id:
        reply = None  # in a forum topic every message "replies" to the topic's first message
    reply_to = None
    if reply is not None:
        ours = reply.from_user is not None and reply.from_user.id == me.id
        addressed = addressed or ours
        reply_to = str(reply.message_id) if addressed else None

    command = None
    m = COMMAND.match(text) if any(e.type == MessageEntity.BOT_COMMAND for e in message.entities) else None
    if m:
        name, target = m.group(1).lower(), (m.group(2) or "").lower()
        if target and target != username:
            return None  # /command@OtherBot
        if not (direct or target or name in commands):
            return None  # a general command in a group, meant for another bot
        command, text, addressed = name, m.group(3).strip(), True

    media = next((kind for attr, kind in MEDIA if getattr(message, attr, None)), None)
    if not addressed or (not raw.strip() and media is None):
        return None  # group chatter, service messages
    anonymous_admin = message.sender_chat is not None and message.sender_chat.id == chat.id
    topic = message.message_thread_id if message.is_topic_message else None
    thread = str(topic) if topic else None
    return Incoming(
        chat=ChatRef(PLATFORM, str(chat.id), thread),
        message_id=str(message.message_id),
        user_id=str(user.id),
        text=text,
        user_name=user.full_name,
        command=command,
        direct=direct,
        addressed=addressed,
        reply_to=reply_to,
        from_bot=bool(user.is_bot) and not anonymous_admin,
        edited=edited,
        media=media,
        language=user.language_code,
    )
