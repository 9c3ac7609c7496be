"""The outbox: messages written with the state change that causes them, sent later by the adapters.

A routed question, a claim or an expert's answer commits its notifications in the same transaction,
so a crash between two steps loses nothing: whichever process runs next sends what is pending.
Rows are leased before sending, so several replicas never send the same row twice. What a sent
message means for a feature (say, replies to it are answers) is told by the feature's `on_sent`
hook for the row's purpose, in the transaction that marks the row sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, cast

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.commands import RegistrationError
from bot.delivery.files import capped
from bot.delivery.pacing import Pacer
from bot.delivery.records import OutboxRecord
from bot.messages import Posted, Reply, reply_from_dict, reply_to_dict
from storage.db import utcnow

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
LEASE = timedelta(seconds=60)

# The purpose of a message nobody replies to; features name their own (an offer, a delivery).
NOTICE = "notice"

# A sender posts a reply and returns where each part landed (a Slack DM to a user id lands in a
# D… channel; a long Telegram answer is several messages); it raises when nothing was posted.
Sender = Callable[[Reply], Awaitable[list[Posted]]]

SEND, UPDATE, DELETE = "send", "update", "delete"  # what an outbox row does
PIN, UNPIN = "pin", "unpin"  # only where the platform can (Telegram: the weekly highlights)
DONE = "_posted"  # payload key: the parts a partly sent row already posted (see PartlySent)
# payload key of a sent message: where its parts landed, so it can be changed later (forget-me
# takes a member's name out of the bot's posts that named them, long after they were sent)
LANDED = "_landed"


class PartlySent(Exception):
    """A send that posted part of a reply (the text, not all files): where that went, the rest to retry."""

    def __init__(self, posted: list[Posted], rest: Reply, reason: str) -> None:
        super().__init__(reason)
        self.posted = posted
        self.rest = rest


class Platform(Protocol):
    """A platform that can also change what it posted (the chat adapters)."""

    async def send(self, reply: Reply) -> list[Posted]:
        """Post a reply; where each part landed."""

    async def update(self, posted: Posted, reply: Reply) -> None:
        """Replace a posted message with a new version."""

    async def delete(self, posted: Posted) -> None:
        """Delete a posted message."""


@dataclass(frozen=True)
class Pending:
    """A leased outbox row."""

    id: int
    reply: Reply
    purpose: str
    question_id: int | None
    expert_id: int | None
    op: str = SEND
    target: Posted | None = None  # the message an update or delete changes
    done: tuple[Posted, ...] = ()  # parts an earlier, partly failed attempt posted


# on_sent hook: (session, the row, where its parts were posted), inside the marking transaction.
SentHook = Callable[[Session, Pending, list[Posted]], None]


def enqueue(
    s: Session,
    reply: Reply,
    purpose: str = NOTICE,
    expert_id: int | None = None,
    now: datetime | None = None,
    *,
    op: str = SEND,
    target: Posted | None = None,
) -> OutboxRecord:
    """Add a message to the outbox inside the caller's transaction (or an edit or deletion of a
    posted one: `op` update/delete with its `target`); the row, flushed when it is needed."""
    # Files over the outbox's cap are left out with a note (bot.delivery.files.capped).
    if op != SEND and target is None:
        raise ValueError(f"an outbox {op} needs the posted message it changes")
    row = OutboxRecord(
        platform=reply.chat.platform,
        payload=reply_to_dict(capped(reply)),
        question_id=reply.question_id,
        expert_id=expert_id,
        purpose=purpose,
        op=op,
        target_chat=target.chat_id if target else "",
        target_message=target.message_id if target else "",
        created_at=now or utcnow(),
        attempts=0,
        error="",
    )
    s.add(row)
    return row


def withdraw(s: Session, question_id: int, expert_id: int, purpose: str, now: datetime) -> int:
    """Inside the caller's transaction: drop this expert's unsent messages of one purpose about a
    question, unless a sender holds them right now; returns how many were dropped."""
    free = or_(OutboxRecord.lease_until.is_(None), OutboxRecord.lease_until < now)
    result = s.execute(
        delete(OutboxRecord).where(
            OutboxRecord.question_id == question_id,
            OutboxRecord.expert_id == expert_id,
            OutboxRecord.purpose == purpose,
            OutboxRecord.sent_at.is_(None),
            free,
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


class Outbox:
    """Leases, marks and retries outbox rows."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = utcnow) -> None:
        self.sessions = sessions
        self.clock = clock
        self.on_new: Callable[[], object] | None = None  # wakes the dispatcher (set by the runner)
        self._hooks: dict[str, SentHook] = {}

    def on_sent(self, purpose: str, hook: SentHook) -> None:
        """Run `hook` whenever a row with this purpose has been sent (one hook per purpose)."""
        if purpose in self._hooks:
            raise RegistrationError(f"the outbox purpose {purpose!r} already has a hook")
        self._hooks[purpose] = hook

    def hooks(self, purpose: str) -> bool:
        """Whether a hook is registered for this purpose."""
        return purpose in self._hooks

    def notify(self) -> None:
        """Tell the dispatcher there is something to send."""
        if self.on_new is not None:
            self.on_new()

    def lease(self, platforms: frozenset[str], limit: int = 20) -> list[Pending]:
        """Take up to `limit` unsent rows per platform (so a fan-out on one platform does not hold
        up the other: `deliver` sends each platform's rows side by side); other processes skip them."""
        now = self.clock()
        free = or_(OutboxRecord.lease_until.is_(None), OutboxRecord.lease_until < now)
        ids: list[int] = []
        with self.sessions() as s:
            for platform in sorted(platforms):
                ids += s.scalars(
                    select(OutboxRecord.id)
                    .where(
                        OutboxRecord.sent_at.is_(None),
                        OutboxRecord.attempts < MAX_ATTEMPTS,
                        OutboxRecord.platform == platform,
                        free,
                    )
                    .order_by(OutboxRecord.id)
                    .limit(limit)
                )
        ids.sort()
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
                target = Posted(row.target_chat, row.target_message) if row.op != SEND else None
                payload = dict(row.payload)
                done = tuple(Posted(str(c), str(m)) for c, m in payload.pop(DONE, ()))
                payload.pop(LANDED, None)
                reply = reply_from_dict(payload)
                taken.append(
                    Pending(row.id, reply, row.purpose, row.question_id, row.expert_id, row.op, target, done)
                )
        return taken

    def sent(self, item: Pending, posted: list[Posted]) -> None:
        """Mark a row sent and let the feature that queued it record where it was posted."""
        parts = [*item.done, *(Posted(str(c), str(m)) for c, m in posted)]
        with self.sessions.begin() as s:
            values: dict[str, Any] = {"sent_at": self.clock(), "lease_until": None}
            if item.target is None and parts:  # a new message (not a change of one): where it is
                row = s.get(OutboxRecord, item.id)
                if row is not None:
                    landed = [[p.chat_id, p.message_id] for p in parts]
                    values["payload"] = {**(row.payload or {}), LANDED: landed}
            s.execute(update(OutboxRecord).where(OutboxRecord.id == item.id).values(**values))
            hook = self._hooks.get(item.purpose)
            if hook is not None:
                hook(s, item, parts)

    def failed(self, item: Pending, error: str, partly: PartlySent | None = None) -> None:
        """Record a failed attempt, retried with backoff, then given up (a partial send keeps the rest)."""
        with self.sessions.begin() as s:
            row = s.get(OutboxRecord, item.id)
            if row is None:
                return
            if partly is not None:
                done = [*item.done, *partly.posted]
                row.payload = {**reply_to_dict(partly.rest), DONE: [[p.chat_id, p.message_id] for p in done]}
            row.attempts += 1
            row.error = error[:1000]
            row.lease_until = self.clock() + timedelta(seconds=min(600, 5 * 2**row.attempts))
            if row.attempts >= MAX_ATTEMPTS:
                log.error("giving up on outbox message %s (question %s): %s", row.id, row.question_id, error)

    def unsent(self, failed_only: bool = False, limit: int = 100) -> list[OutboxRecord]:
        """Rows not sent yet, oldest first; `failed_only`: those that failed at least once."""
        q = select(OutboxRecord).where(OutboxRecord.sent_at.is_(None)).order_by(OutboxRecord.id).limit(limit)
        if failed_only:
            q = q.where(OutboxRecord.attempts > 0)
        with self.sessions() as s:
            return list(s.scalars(q))

    def pending_count(self) -> int:
        """Rows not sent yet (for status output and tests)."""
        with self.sessions() as s:
            return int(s.scalar(select(func.count()).where(OutboxRecord.sent_at.is_(None))) or 0)

    async def deliver(
        self, senders: Mapping[str, Sender | Platform], limit: int = 20, pacer: Pacer | None = None
    ) -> int:
        """Send what is pending for the platforms we have senders for; returns the number sent.

        Each platform's rows go in order, the platforms side by side; with a pacer, within the
        platform's rate limits (a fan-out to many channels is paced, not burst)."""
        items = await asyncio.to_thread(self.lease, frozenset(senders), limit)
        by_platform: dict[str, list[Pending]] = {}
        for item in items:
            by_platform.setdefault(item.reply.chat.platform, []).append(item)
        done = await asyncio.gather(
            *(self._deliver_all(senders[p], rows, pacer) for p, rows in by_platform.items())
        )
        return sum(done)

    async def _deliver_all(self, target: Sender | Platform, items: list[Pending], pacer: Pacer | None) -> int:
        done = 0
        for item in items:
            chat = item.target.chat_id if item.target else item.reply.chat.chat_id
            if pacer is not None:
                await pacer.wait(item.reply.chat.platform, chat)
            try:
                posted = await _carry_out(target, item)
            except PartlySent as exc:  # part went out: only the rest is retried
                log.warning("outbox %s (question %s) partly sent: %s", item.id, item.question_id, exc)
                await asyncio.to_thread(self.failed, item, f"PartlySent: {exc}", exc)
                continue
            except Exception as exc:  # noqa: BLE001 - one failed send must not stop the others
                log.warning("outbox %s (%s, question %s) failed: %s", item.id, item.op, item.question_id, exc)
                await asyncio.to_thread(self.failed, item, f"{type(exc).__name__}: {exc}")
                continue
            await asyncio.to_thread(self.sent, item, posted)
            done += 1
        return done

    async def run(
        self, senders: Mapping[str, Sender | Platform], wake: asyncio.Event, interval: float = 2.0
    ) -> None:
        """Deliver whenever woken, and every `interval` seconds (rows of other processes, retries),
        paced within the platforms' rate limits: one loop per platform, so a slow fan-out on one
        (Telegram's 20 a minute per group) never holds up the other."""
        pacer = Pacer()
        woken = {platform: asyncio.Event() for platform in senders}

        async def relay() -> None:  # one wake-up reaches every platform's loop
            while True:
                await wake.wait()
                wake.clear()
                for event in woken.values():
                    event.set()

        loops = [self._loop({p: senders[p]}, woken[p], interval, pacer) for p in senders]
        await asyncio.gather(relay(), *loops)

    async def _loop(
        self, senders: Mapping[str, Sender | Platform], wake: asyncio.Event, interval: float, pacer: Pacer
    ) -> None:
        while True:
            # Clear before looking, not after: a notify that arrives while we deliver (say, just after
            # the last lease found nothing) must send us round again, not wait for the next interval.
            wake.clear()
            try:
                while await self.deliver(senders, pacer=pacer):
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - keep the loop alive (database hiccup etc.)
                log.exception("outbox loop error")
            try:
                await asyncio.wait_for(wake.wait(), timeout=interval)
            except TimeoutError:
                pass


async def _carry_out(target: Sender | Platform, item: Pending) -> list[Posted]:
    """Send, update or delete one row's message; where it is now."""
    if item.op == SEND:
        send = target.send if hasattr(target, "send") else target
        return await send(item.reply)  # type: ignore[operator]
    if item.op in (PIN, UNPIN):
        pin = getattr(target, "pin", None)
        if pin is None or item.target is None:
            raise RuntimeError(f"this platform cannot {item.op} a message")
        await pin(item.target, item.op == PIN)
        return [item.target]
    editor = cast(Platform, target) if hasattr(target, "update") and hasattr(target, "delete") else None
    if editor is None or item.target is None:
        raise RuntimeError(f"this platform cannot {item.op} a posted message")
    if item.op == UPDATE:
        await editor.update(item.target, item.reply)
    elif item.op == DELETE:
        await editor.delete(item.target)
    else:
        raise RuntimeError(f"unknown outbox operation {item.op!r}")
    return [item.target]
