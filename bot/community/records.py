"""ORM tables of contributions: submissions in the moderation queue, guided-form drafts, events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base

# Submission states.
HELD = "held"  # a near-duplicate was shown to the author; waits for "send anyway" or "withdraw"
PENDING = "pending"  # in the moderation queue
APPROVED = "approved"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
STATES = (HELD, PENDING, APPROVED, REJECTED, WITHDRAWN)
OPEN = (HELD, PENDING)


class SubmissionRecord(Base):
    """A member's tip, project or event, from submission to the moderator's decision."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # tip | project | event
    state: Mapped[str] = mapped_column(String(16), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    author_name: Mapped[str] = mapped_column(String(200), default="")
    platform: Mapped[str] = mapped_column(String(16))  # where the author submitted it
    user_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))  # where the author is told the outcome
    language: Mapped[str] = mapped_column(String(8), default="nl")
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    duplicate: Mapped[str] = mapped_column(Text, default="")  # what the near-duplicate check showed
    claimed_by: Mapped[int | None] = mapped_column(Integer, nullable=True)  # a person id
    claimed_name: Mapped[str] = mapped_column(String(200), default="")
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    kb_path: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class DraftRecord(Base):
    """A form being filled in step by step in a chat (Telegram, console); one per person and platform."""

    __tablename__ = "form_drafts"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64))
    form: Mapped[str] = mapped_column(String(16))  # tip | project | event | edit | reject
    target: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the submission of edit/reject
    step: Mapped[int] = mapped_column(Integer, default=0)
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    language: Mapped[str] = mapped_column(String(8), default="nl")
    user_name: Mapped[str] = mapped_column(String(200), default="")
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class EventRecord(Base):
    """An approved event: answered from and offered in the iCalendar feed until it is past."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int | None] = mapped_column(Integer, nullable=True, unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    day: Mapped[str] = mapped_column(String(10), index=True)  # ISO date, Europe/Amsterdam
    start: Mapped[str] = mapped_column(String(5), default="")  # HH:MM local, "" = all day
    place: Mapped[str] = mapped_column(String(200), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    author_name: Mapped[str] = mapped_column(String(200), default="")
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
