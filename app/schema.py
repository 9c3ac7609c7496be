"""Every table of Verbinder, registered on one metadata (for migrations checks and autogenerate)."""

from __future__ import annotations

from sqlalchemy import MetaData

from bot.announcements import records as announcements
from bot.community import records as community
from bot.conversations import records as conversations
from bot.delivery import records as delivery
from bot.experts import records as experts
from bot.highlights import records as highlights
from bot.people import records as people
from bot.privacy import records as privacy
from knowledge_base import records as knowledge_base
from storage.db import Base

MODULES = (
    knowledge_base,
    conversations,
    experts,
    delivery,
    people,
    community,
    highlights,
    announcements,
    privacy,
)


def metadata() -> MetaData:
    """The metadata of all tables (their modules are imported above, so they are registered)."""
    return Base.metadata
