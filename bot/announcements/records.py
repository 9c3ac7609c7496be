"""ORM tables of announcements: the announcement itself and one delivery row per target channel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base

# States of an announcement.
DRAFT = "draft"  # written on Telegram, waiting for the moderator's "send"
SCHEDULED = "scheduled"
SENT = "sent"
EDITED = "edited"  # sent, then changed
WITHDRAWN = "withdrawn"
CANCELLED = "cancelled"  # a draft its moderator did not send (kept: its buttons name its id)
STATES = (DRAFT, SCHEDULED, SENT, EDITED, WITHDRAWN, CANCELLED)
UNLISTED = (DRAFT, CANCELLED)

# States of one delivery.
PENDING = "pending"
DELIVERED = "sent"
FAILED = "failed"
GONE = "withdrawn"


class AnnouncementRecord(Base):
    """One announcement by a moderator: its text, when it goes out, and where it stands."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    author: Mapped[str] = mapped_column(String(120))  # "slack:U123", "telegram:42" or "cli"
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="nl")
    state: Mapped[str] = mapped_column(String(12), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)  # when it goes (or went) out, UTC
    job: Mapped[str] = mapped_column(String(200), default="")  # the scheduler's one-off run
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    reported_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # the author's report


class AnnouncementDeliveryRecord(Base):
    """An announcement in one channel: its outbox message, the posted message id, its state."""

    __tablename__ = "announcement_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    topic: Mapped[str] = mapped_column(String(64), default="")  # Telegram forum topic / Slack thread
    outbox_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)  # the send
    change_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)  # last edit/delete
    message_id: Mapped[str] = mapped_column(String(64), default="")
    state: Mapped[str] = mapped_column(String(12), default=PENDING)
    error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
