"""ORM tables of conversations: questions, their lifecycle, message references, feedback, dedup."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base

# Question lifecycle (issue 4 adds the expert steps on the same column).
ASKED = "asked"
ANSWERED = "answered"  # answered by the bot
ROUTED = "routed"  # the bot could not answer; waits for an expert
EXPERT_REQUESTED = "expert_requested"  # the member pressed "ask an expert"
CLAIMED = "claimed"
EXPERT_ANSWERED = "expert_answered"
RESOLVED = "resolved"
EXPIRED = "expired"
STATUSES = (ASKED, ANSWERED, ROUTED, EXPERT_REQUESTED, CLAIMED, EXPERT_ANSWERED, RESOLVED, EXPIRED)


class QuestionRecord(Base):
    """One question a member asked, with where it came from and what the bot replied."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    thread_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    message_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    user_name: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    context: Mapped[str] = mapped_column(Text, default="")  # the text actually searched
    language: Mapped[str] = mapped_column(String(8), default="nl")
    answer: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[list] = mapped_column(JSON, default=list)
    routed: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(24), default=ASKED, index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class QuestionEvent(Base):
    """One step in a question's lifecycle, with who did it and when."""

    __tablename__ = "question_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime)


class MessageRef(Base):
    """A platform message (question or bot reply) that belongs to a question: finds follow-ups."""

    __tablename__ = "message_refs"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)


class HandledEvent(Base):
    """A delivered event or message that was taken on; a second delivery is ignored."""

    __tablename__ = "handled_events"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)


class FeedbackRecord(Base):
    """A member's helpful / not helpful vote on an answer (one per member, the last one counts)."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("question_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime)
