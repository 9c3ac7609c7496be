"""Verbinder's platform-free core: conversations, answering, features and delivery.

What the adapters use is named here. The names load lazily, so `import bot.messages` (or a
renderer that only needs the message model) never loads the knowledge base.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.commands import CommandSpec
    from bot.config import Settings
    from bot.delivery.outbox import Outbox
    from bot.delivery.scheduler import Scheduler
    from bot.language import language_of, reply_language
    from bot.messages import Action, Button, ChatRef, Incoming, Posted, Reply, Source
    from bot.service import Service
    from bot.texts import t

_WHERE = {
    "Action": "bot.messages",
    "Button": "bot.messages",
    "ChatRef": "bot.messages",
    "CommandSpec": "bot.commands",
    "Incoming": "bot.messages",
    "Outbox": "bot.delivery.outbox",
    "Posted": "bot.messages",
    "Reply": "bot.messages",
    "Scheduler": "bot.delivery.scheduler",
    "Service": "bot.service",
    "Settings": "bot.config",
    "Source": "bot.messages",
    "language_of": "bot.language",
    "reply_language": "bot.language",
    "t": "bot.texts",
}
__all__ = [
    "Action",
    "Button",
    "ChatRef",
    "CommandSpec",
    "Incoming",
    "Outbox",
    "Posted",
    "Reply",
    "Scheduler",
    "Service",
    "Settings",
    "Source",
    "language_of",
    "reply_language",
    "t",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'bot' has no attribute {name!r}")
