"""The outbox: messages written with the state change that causes them, sent later by the adapters.

A routed question, a claim or an expert's answer commits its notifications in the same transaction,
so a crash between two steps loses nothing: whichever process runs next sends what is pending.
Rows are leased before sending, so several replicas never send the same row twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.db import utcnow
from bot.expert_records import OutboxRecord, RoutedMessage
from bot.messages import Reply, reply_from_dict, reply_to_dict
from bot.records import MessageRef

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
LEASE = timedelta(seconds=60)

# What a sent message is for: offers and hand-overs to experts take answers as replies;
# deliveries to askers take follow-up questions as replies.
OFFER = "offer"
DELIVERY = "delivery"
NOTICE = "notice"

# A sender returns the ids of the messages it posted: plain ids, or (chat id, message id) where the
# platform posts somewhere else than asked (Slack: a DM to a user id lands in a D… channel).
SentIds = list[str] | list[tuple[str, str]]
Sender = Callable[[Reply], Awaitable[SentIds]]


@dataclass(frozen=True)
class Pending:
    """A leased outbox row."""

    id: int
    reply: Reply
    purpose: str
    question_id: int | None
    expert_id: int | None


def enqueue(
    s: Session, reply: Reply, purpose: str = NOTICE, expert_id: int | None = None, now: datetime | None = None
) -> None:
    """Add a message to the outbox inside the caller's transaction."""
    s.add(
        OutboxRecord(
            platform=reply.chat.platform,
            payload=reply_to_dict(reply),
            question_id=reply.question_id,
            expert_id=expert_id,
            purpose=purpose,
            created_at=now or utcnow(),
            attempts=0,
            error="",
        )
    )


class Outbox:
    """Leases, marks and retries outbox rows."""

    def __init__(self, sessions: sessionmaker, clock: Callable[[], datetime] = utcnow) -> None:
        self.sessions = sessions
        self.clock = clock
        self.on_new: Callable[[], None] | None = None  # wakes the dispatcher (set by the runner)

    def notify(self) -> None:
        """Tell the dispatcher there is something to send."""
        if self.on_new is not None:
            self.on_new()

    def lease(self, platforms: frozenset[str], limit: int = 20) -> list[Pending]:
        """Take up to `limit` unsent rows for these platforms; other processes skip them meanwhile."""
        now = self.clock()
        free = or_(OutboxRecord.lease_until.is_(None), OutboxRecord.lease_until < now)
        with self.sessions() as s:
            ids = list(
                s.scalars(
                    select(OutboxRecord.id)
                    .where(
                        OutboxRecord.sent_at.is_(None),
                        OutboxRecord.attempts < MAX_ATTEMPTS,
                        OutboxRecord.platform.in_(platforms),
                        free,
                    )
                    .order_by(OutboxRecord.id)
                    .limit(limit)
                )
            )
        taken: list[Pending] = []
        for row_id in ids:
            with self.sessions.begin() as s:
                won = s.execute(
                    update(OutboxRecord)
                    .where(OutboxRecord.id == row_id, free, OutboxRecord.sent_at.is_(None))
                    .values(lease_until=now + LEASE)
                ).rowcount  # type: ignore[attr-defined]
                if won != 1:
                    continue
                row = s.get(OutboxRecord, row_id)
                assert row is not None
                taken.append(
                    Pending(row.id, reply_from_dict(row.payload), row.purpose, row.question_id, row.expert_id)
                )
        return taken

    def sent(self, item: Pending, message_ids: SentIds) -> None:
        """Mark a row sent and link the platform messages to its question."""
        now = self.clock()
        chat = item.reply.chat
        with self.sessions.begin() as s:
            s.execute(
                update(OutboxRecord).where(OutboxRecord.id == item.id).values(sent_at=now, lease_until=None)
            )
            if item.question_id is None:
                return
            for posted in message_ids:
                chat_id, mid = posted if isinstance(posted, tuple | list) else (chat.chat_id, posted)
                key = (chat.platform, str(chat_id), str(mid))
                if item.purpose == OFFER and s.get(RoutedMessage, key) is None:
                    s.add(
                        RoutedMessage(
                            platform=chat.platform,
                            chat_id=str(chat_id),
                            message_id=str(mid),
                            question_id=item.question_id,
                            expert_id=item.expert_id,
                        )
                    )
                elif item.purpose == DELIVERY:
                    ref = s.get(MessageRef, key)
                    if ref is None:
                        s.add(
                            MessageRef(
                                platform=chat.platform,
                                chat_id=str(chat_id),
                                message_id=str(mid),
                                question_id=item.question_id,
                            )
                        )
                    else:
                        ref.question_id = item.question_id

    def failed(self, item: Pending, error: str) -> None:
        """Record a failed attempt; the row is retried later with backoff, then given up."""
        with self.sessions.begin() as s:
            row = s.get(OutboxRecord, item.id)
            if row is None:
                return
            row.attempts += 1
            row.error = error[:1000]
            row.lease_until = self.clock() + timedelta(seconds=min(600, 5 * 2**row.attempts))
            if row.attempts >= MAX_ATTEMPTS:
                log.error("giving up on outbox message %s (question %s): %s", row.id, row.question_id, error)

    def pending_count(self) -> int:
        """Rows not sent yet (for status output and tests)."""
        with self.sessions() as s:
            return int(s.scalar(select(func.count()).where(OutboxRecord.sent_at.is_(None))) or 0)

    async def deliver(self, senders: dict[str, Sender], limit: int = 20) -> int:
        """Send what is pending for the platforms we have senders for; returns the number sent."""
        items = await asyncio.to_thread(self.lease, frozenset(senders), limit)
        done = 0
        for item in items:
            try:
                ids = await senders[item.reply.chat.platform](item.reply)
            except Exception as exc:  # noqa: BLE001 - one failed send must not stop the others
                log.warning("outbox %s (question %s) failed: %s", item.id, item.question_id, exc)
                await asyncio.to_thread(self.failed, item, f"{type(exc).__name__}: {exc}")
                continue
            await asyncio.to_thread(self.sent, item, ids)
            done += 1
        return done

    async def run(
        self,
        senders: dict[str, Sender],
        wake: asyncio.Event,
        interval: float = 2.0,
        tick: Callable[[], object] | None = None,
        tick_every: float = 60.0,
    ) -> None:
        """Deliver whenever woken (or every `interval` s); run the timers every `tick_every` s."""
        loop = asyncio.get_running_loop()
        next_tick = loop.time()
        while True:
            # Clear before looking, not after: a notify that arrives while we deliver (say, just after
            # the last lease found nothing) must send us round again, not wait for the next interval.
            wake.clear()
            try:
                if tick is not None and loop.time() >= next_tick:
                    next_tick = loop.time() + tick_every
                    await asyncio.to_thread(tick)
                while await self.deliver(senders):
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - keep the loop alive (database hiccup etc.)
                log.exception("outbox loop error")
            try:
                await asyncio.wait_for(wake.wait(), timeout=interval)
            except TimeoutError:
                pass
