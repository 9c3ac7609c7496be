"""Persistence of conversations: questions and their lifecycle, message references, feedback, dedup."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.answering.assistant import Answer
from bot.conversations.records import (
    ANSWERED,
    ASKED,
    ROUTED,
    FeedbackRecord,
    HandledEvent,
    MessageRef,
    QuestionEvent,
    QuestionRecord,
)
from bot.messages import Incoming, question_id_ok
from storage.db import utcnow


class QuestionStore:
    """Database operations on questions; every method is one short transaction."""

    def __init__(self, sessions: sessionmaker, clock: Callable[[], datetime] = utcnow) -> None:
        self.sessions = sessions
        self.clock = clock

    def claim_event(self, key: str) -> bool:
        """Record that an event/message is being handled; False when it was handled before."""
        with self.sessions() as s:
            s.add(HandledEvent(key=key[:300], at=self.clock()))
            try:
                s.commit()
            except IntegrityError:
                s.rollback()
                return False
        return True

    def prune_events(self, older_than: timedelta = timedelta(days=30)) -> int:
        """Forget handled-event keys older than the platforms' redelivery windows."""
        with self.sessions.begin() as s:
            result = s.execute(delete(HandledEvent).where(HandledEvent.at < self.clock() - older_than))
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def record_question(
        self, msg: Incoming, context: str, answer: Answer, parent_id: int | None = None
    ) -> int:
        """Store an asked question (the member's message) with the bot's answer; returns its id."""
        now = self.clock()
        status = ROUTED if answer.routed else ANSWERED
        with self.sessions.begin() as s:
            q = QuestionRecord(
                platform=msg.chat.platform,
                chat_id=msg.chat.chat_id,
                thread_id=msg.chat.thread_id,
                message_id=msg.message_id,
                user_id=msg.user_id,
                user_name=msg.user_name[:200],
                text=answer.question,
                context=context,
                language=answer.language,
                answer=answer.answer,
                sources=[asdict(x) for x in (answer.sources or answer.candidates[:3])],
                routed=answer.routed,
                status=status,
                parent_id=parent_id,
                created_at=now,
                updated_at=now,
            )
            s.add(q)
            s.flush()
            s.add(QuestionEvent(question_id=q.id, status=ASKED, actor=msg.user_id, at=now))
            s.add(QuestionEvent(question_id=q.id, status=status, actor="bot", at=now))
            upsert_ref(s, msg.chat.platform, msg.chat.chat_id, msg.message_id, q.id)
            return int(q.id)

    def remember(self, platform: str, chat_id: str, message_id: str, question_id: int) -> None:
        """Link a platform message (a bot reply, a thread root) to a question; a reply that names
        no stored question (a notice about an id from forged input) links nothing."""
        if not question_id_ok(question_id):
            return
        with self.sessions.begin() as s:
            if s.get(QuestionRecord, question_id) is None:
                return
            upsert_ref(s, platform, chat_id, message_id, question_id)

    def by_ref(self, platform: str, chat_id: str, message_id: str | None) -> QuestionRecord | None:
        """The question a platform message belongs to, if any."""
        if not message_id:
            return None
        with self.sessions() as s:
            ref = s.get(MessageRef, (platform, chat_id, message_id))
            return s.get(QuestionRecord, ref.question_id) if ref else None

    def get(self, question_id: int) -> QuestionRecord | None:
        """One question by id."""
        with self.sessions() as s:
            return s.get(QuestionRecord, question_id)

    def set_status(
        self,
        question_id: int,
        status: str,
        actor: str,
        detail: str = "",
        only_from: tuple[str, ...] | None = None,
    ) -> bool:
        """Move a question to a new status (optionally only from given ones); False if not moved."""
        now = self.clock()
        with self.sessions.begin() as s:
            q = s.get(QuestionRecord, question_id, with_for_update=True)
            if q is None or (only_from is not None and q.status not in only_from):
                return False
            record_event(s, q, status, actor, now, detail)
            return True

    def feedback(self, question_id: int, user_id: str, value: str) -> None:
        """Record a vote; a member's later vote replaces the earlier one."""
        now = self.clock()
        with self.sessions.begin() as s:
            row = s.scalar(
                select(FeedbackRecord).where(
                    FeedbackRecord.question_id == question_id, FeedbackRecord.user_id == user_id
                )
            )
            if row is None:
                s.add(FeedbackRecord(question_id=question_id, user_id=user_id, value=value, at=now))
            else:
                row.value, row.at = value, now

    def feedback_for(self, question_id: int) -> dict[str, str]:
        """Votes on a question by user id."""
        with self.sessions() as s:
            rows = s.scalars(select(FeedbackRecord).where(FeedbackRecord.question_id == question_id))
            return {r.user_id: r.value for r in rows}

    def events(self, question_id: int) -> list[QuestionEvent]:
        """A question's lifecycle, oldest first."""
        with self.sessions() as s:
            stmt = select(QuestionEvent).where(QuestionEvent.question_id == question_id)
            return list(s.scalars(stmt.order_by(QuestionEvent.id)))

    def all(self, status: str | None = None, limit: int = 100) -> list[QuestionRecord]:
        """Questions, newest first, optionally with one status."""
        with self.sessions() as s:
            stmt = select(QuestionRecord).order_by(QuestionRecord.id.desc()).limit(limit)
            if status:
                stmt = stmt.where(QuestionRecord.status == status)
            return list(s.scalars(stmt))


def upsert_ref(s: Session, platform: str, chat_id: str, message_id: str, question_id: int) -> None:
    """Link a platform message to a question inside the caller's transaction (the last link wins).

    One INSERT ... ON CONFLICT DO UPDATE on the primary key (platform, chat_id, message_id): two writers
    linking the same message at once (the replies to two questions in one thread both link its root)
    both succeed. A read, then an insert, let both read "no link" and the second insert fail on the key.
    """
    row = {"platform": platform, "chat_id": chat_id, "message_id": message_id, "question_id": question_id}
    key = [MessageRef.platform, MessageRef.chat_id, MessageRef.message_id]
    dialect = s.get_bind().dialect.name
    if dialect == "sqlite":
        lite = sqlite.insert(MessageRef).values(row)
        s.execute(
            lite.on_conflict_do_update(index_elements=key, set_={"question_id": lite.excluded.question_id})
        )
    elif dialect == "postgresql":
        pg = postgresql.insert(MessageRef).values(row)
        s.execute(pg.on_conflict_do_update(index_elements=key, set_={"question_id": pg.excluded.question_id}))
    else:  # another database: read, then write (not safe against a concurrent writer of the same link)
        ref = s.get(MessageRef, (platform, chat_id, message_id))
        if ref is None:
            s.add(MessageRef(**row))
        else:
            ref.question_id = question_id


def record_event(
    s: Session, q: QuestionRecord, status: str, actor: str, at: datetime, detail: str = ""
) -> None:
    """Move a question to a status and log the step, inside the caller's transaction."""
    q.status, q.updated_at = status, at
    s.add(QuestionEvent(question_id=q.id, status=status, actor=actor, detail=detail[:500], at=at))
