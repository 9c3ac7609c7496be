"""ORM tables of expert routing: experts, routings, offers of a question to an expert, routed messages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base


class ExpertRecord(Base):
    """A community member who answers what the bot cannot, with expertise and availability."""

    __tablename__ = "experts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    slack_user_id: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    telegram_user_id: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    expertise: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list] = mapped_column(JSON, default=list)
    sectors: Mapped[list] = mapped_column(JSON, default=list)
    regions: Mapped[list] = mapped_column(JSON, default=list)
    languages: Mapped[list] = mapped_column(JSON, default=list)
    away_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    capacity: Mapped[int] = mapped_column(Integer, default=3)
    moderator: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class RoutingRecord(Base):
    """Where a routed question stands: claim, timers, the expert's answer and its way into the KB."""

    __tablename__ = "routings"

    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    stage: Mapped[int] = mapped_column(Integer, default=0)  # 0 offered, 1 reminded, 2 widened
    routed_at: Mapped[datetime] = mapped_column(DateTime)
    next_check_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True, index=True)
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("experts.id"), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    claim_reminded: Mapped[bool] = mapped_column(Boolean, default=False)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("experts.id"), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    kb_status: Mapped[str] = mapped_column(String(16), default="")  # ""|pending|approved|published|declined
    kb_path: Mapped[str] = mapped_column(String(200), default="")
    kb_published_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # in the KB since
    version: Mapped[int] = mapped_column(Integer, default=0)  # bumped on every change (optimistic lock)


class OfferRecord(Base):
    """A routed question offered to one expert (and the message that carried it)."""

    __tablename__ = "offers"
    __table_args__ = (UniqueConstraint("question_id", "expert_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(default=0.0)
    reason: Mapped[str] = mapped_column(String(300), default="")
    at: Mapped[datetime] = mapped_column(DateTime)


class RoutedMessage(Base):
    """A platform message that carried a routed question to an expert (replies to it are answers)."""

    __tablename__ = "routed_messages"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
