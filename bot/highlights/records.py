"""ORM tables of the weekly highlights: a week's state (previewed, skipped, posted) and its posts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base

PREVIEWED = "previewed"
APPROVED = "approved"  # a moderator pressed "post": it went out then
SKIPPED = "skipped"
POSTED = "posted"


class HighlightWeekRecord(Base):
    """One ISO week's highlights: what moderators decided, and the intro they wrote."""

    __tablename__ = "highlight_weeks"

    week: Mapped[str] = mapped_column(String(8), primary_key=True)  # "2026-W49"
    state: Mapped[str] = mapped_column(String(12), default="")
    intro: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class HighlightPostRecord(Base):
    """The highlights of a week in one channel: at most one row, so at most one post, ever."""

    __tablename__ = "highlight_posts"

    week: Mapped[str] = mapped_column(String(8), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    outbox_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    message_id: Mapped[str] = mapped_column(String(64), default="")  # once posted
    thread: Mapped[list[Any]] = mapped_column(JSON, default=list)  # Slack: the details, in its thread
    created_at: Mapped[datetime] = mapped_column(DateTime)
