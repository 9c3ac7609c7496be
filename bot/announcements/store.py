"""Announcements in the database: write, confirm, send (now or by the scheduler), edit, withdraw, list.

Sending is a conditional state change (scheduled -> sent) in the transaction that queues the
outbox rows: the scheduler's one-off run, a second replica or the periodic safety net can all try,
and exactly one of them fans it out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.announcements import delivery as D
from bot.announcements.model import TZ_NAME, Invalid, Target, check_text, parse_targets, parse_when
from bot.announcements.records import (
    CANCELLED,
    DELIVERED,
    DRAFT,
    EDITED,
    GONE,
    SCHEDULED,
    SENT,
    UNLISTED,
    WITHDRAWN,
    AnnouncementDeliveryRecord,
    AnnouncementRecord,
)
from bot.delivery.outbox import Outbox, Pending
from bot.delivery.scheduler import Scheduler
from bot.messages import Posted
from bot.people.store import audit

SEND_JOB = "announcements.send"


@dataclass(frozen=True)
class AnnouncementsPolicy:
    """Where announcements go by default, and how times are read."""

    targets: tuple[Target, ...] = ()
    tz: str = TZ_NAME
    language: str = "nl"


@dataclass(frozen=True)
class Delivery:
    """One target of an announcement, as it stands."""

    target: Target
    state: str
    message_id: str
    error: str


@dataclass(frozen=True)
class Announcement:
    """An announcement with its deliveries (a snapshot)."""

    id: int
    author: str
    text: str
    state: str
    at: datetime
    created: datetime
    language: str
    deliveries: tuple[Delivery, ...]

    @property
    def delivered(self) -> int:
        """How many targets have (or had) the message."""
        return sum(bool(d.message_id) for d in self.deliveries)


@dataclass(frozen=True)
class Change:
    """What an edit or a withdrawal queued."""

    announcement: Announcement
    updated: int = 0
    deleted: int = 0
    noticed: int = 0


def _snapshot(s: Session, row: AnnouncementRecord) -> Announcement:
    ds = tuple(
        Delivery(Target(d.platform, d.chat_id, d.topic), d.state, d.message_id, d.error)
        for d in D.deliveries(s, row.id)
    )
    return Announcement(row.id, row.author, row.text, row.state, row.at, row.created_at, row.language, ds)


class Announcements:
    """Every operation on announcements; the feature and the CLI call these."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        outbox: Outbox,
        scheduler: Scheduler,
        policy: AnnouncementsPolicy,
        clock: Callable[[], datetime],
    ) -> None:
        self.sessions = sessions
        self.outbox = outbox
        self.scheduler = scheduler
        self.policy = policy
        self.clock = clock

    def create(
        self, author: str, text: str, to: str = "", when: str = "", lang: str = "nl", *, draft: bool = False
    ) -> Announcement:
        """A new announcement (Invalid on bad input): sent now, scheduled, or a draft to confirm."""
        body = check_text(text)
        targets = parse_targets(to, self.policy.targets)
        now = self.clock()
        at = parse_when(when, now, self.policy.tz) or now
        with self.sessions.begin() as s:
            row = AnnouncementRecord(
                author=author,
                text=body,
                language=lang,
                state=DRAFT,
                at=at,
                job="",
                created_at=now,
                updated_at=now,
            )
            s.add(row)
            s.flush()
            D.add_deliveries(s, row, targets)
            audit(s, author, "announcement_create", f"announcement:{row.id}", body[:200], now)
            ann_id = row.id
        return self.get(ann_id) if draft else self.confirm(ann_id, author)

    def confirm(self, ann_id: int, actor: str) -> Announcement:
        """A draft goes: at its time by the scheduler, or now (Invalid 'an_not_draft' when not one)."""
        now = self.clock()
        with self.sessions.begin() as s:
            row = s.get(AnnouncementRecord, ann_id)
            if row is None:
                raise Invalid("an_unknown_id", id=ann_id)
            later = row.at > now
            won = s.execute(
                update(AnnouncementRecord)
                .where(AnnouncementRecord.id == ann_id, AnnouncementRecord.state == DRAFT)
                .values(state=SCHEDULED if later else SENT, updated_at=now, at=row.at if later else now)
            ).rowcount  # type: ignore[attr-defined]
            if won != 1:
                raise Invalid("an_not_draft", id=ann_id)
            s.refresh(row)
            if later:
                row.job = f"{SEND_JOB}:{ann_id}"
            else:
                D.fan_out(s, row, now)
        if later:
            self.scheduler.schedule(SEND_JOB, row.at, {"id": ann_id}, key=str(ann_id))
        else:
            self.outbox.notify()
        return self.get(ann_id)

    def cancel(self, ann_id: int) -> bool:
        """Drop a draft that was never sent; whether it was one."""
        with self.sessions.begin() as s:
            won = s.execute(
                update(AnnouncementRecord)
                .where(AnnouncementRecord.id == ann_id, AnnouncementRecord.state == DRAFT)
                .values(state=CANCELLED, updated_at=self.clock())
            ).rowcount  # type: ignore[attr-defined]
            if won == 1:
                s.execute(
                    update(AnnouncementDeliveryRecord)
                    .where(AnnouncementDeliveryRecord.announcement_id == ann_id)
                    .values(state=GONE)
                )
        return bool(won == 1)

    def dispatch(self, ann_id: int, now: datetime) -> int:
        """The scheduled time came: fan it out, once (a second run finds it sent); rows queued."""
        with self.sessions.begin() as s:
            won = s.execute(
                update(AnnouncementRecord)
                .where(AnnouncementRecord.id == ann_id, AnnouncementRecord.state == SCHEDULED)
                .values(state=SENT, updated_at=now)
            ).rowcount  # type: ignore[attr-defined]
            row = s.get(AnnouncementRecord, ann_id)
            if won != 1 or row is None:
                return 0
            queued = D.fan_out(s, row, now)
        self.outbox.notify()
        return queued

    def edit(self, ann_id: int, text: str, actor: str) -> Change:
        """New text; every posted message is updated, an unsent one just goes out with it."""
        body = check_text(text)
        now = self.clock()
        with self.sessions.begin() as s:
            row = self._changeable(s, ann_id)
            row.text, row.updated_at = body, now
            if row.state == SENT:
                row.state = EDITED
            updated = sum(D.edit_one(s, row, d, now) for d in D.deliveries(s, ann_id))
            audit(s, actor, "announcement_edit", f"announcement:{ann_id}", body[:200], now)
        self.outbox.notify()
        return Change(self.get(ann_id), updated=updated)

    def withdraw(self, ann_id: int, actor: str) -> Change:
        """Take it back everywhere: delete, or on Telegram after 48 hours edit to a notice."""
        now = self.clock()
        with self.sessions.begin() as s:
            row = self._changeable(s, ann_id)
            was = row.state
            row.state, row.updated_at = WITHDRAWN, now
            done = [D.withdraw_one(s, row, d, now) for d in D.deliveries(s, ann_id)]
            audit(s, actor, "announcement_withdraw", f"announcement:{ann_id}", "", now)
            if was in (SENT, EDITED):
                D.settle(s, row, now)
        if was == SCHEDULED:
            self.scheduler.cancel(f"{SEND_JOB}:{ann_id}")
        self.outbox.notify()
        return Change(self.get(ann_id), deleted=done.count("deleted"), noticed=done.count("noticed"))

    def _changeable(self, s: Session, ann_id: int) -> AnnouncementRecord:
        row = s.get(AnnouncementRecord, ann_id, with_for_update=True)
        if row is None or row.state in UNLISTED:
            raise Invalid("an_unknown_id", id=ann_id)
        if row.state == WITHDRAWN:
            raise Invalid("an_is_withdrawn", id=ann_id)
        return row

    def get(self, ann_id: int) -> Announcement:
        """One announcement (Invalid 'an_unknown_id' when there is none)."""
        with self.sessions() as s:
            row = s.get(AnnouncementRecord, ann_id)
            if row is None:
                raise Invalid("an_unknown_id", id=ann_id)
            return _snapshot(s, row)

    def listing(self, limit: int = 20) -> list[Announcement]:
        """Scheduled and posted announcements, newest first (drafts are not listed)."""
        with self.sessions() as s:
            rows = s.scalars(
                select(AnnouncementRecord)
                .where(AnnouncementRecord.state.not_in(UNLISTED))
                .order_by(AnnouncementRecord.id.desc())
                .limit(limit)
            )
            return [_snapshot(s, r) for r in rows]

    # -- the outbox and the clock --------------------------------------------------------------

    def on_sent(self, s: Session, item: Pending, posted: list[Posted]) -> None:
        """Hook of a post: its message id, catching up with edits, the report when all settled."""
        D.on_sent(s, item.id, posted, item.reply.text, self.clock())

    def on_changed(self, s: Session, item: Pending, posted: list[Posted]) -> None:
        """Hook of an edit or deletion."""
        D.on_changed(s, item.id, item.op)

    def settle_all(self, now: datetime) -> dict[str, int]:
        """The periodic job: send what is due (a lost scheduler row), report what has settled."""
        with self.sessions() as s:
            due = list(
                s.scalars(
                    select(AnnouncementRecord.id).where(
                        AnnouncementRecord.state == SCHEDULED, AnnouncementRecord.at <= now
                    )
                )
            )
            open_ = list(
                s.scalars(
                    select(AnnouncementRecord.id).where(
                        AnnouncementRecord.state.in_((SENT, EDITED, WITHDRAWN)),
                        AnnouncementRecord.reported_at.is_(None),
                    )
                )
            )
        sent = sum(bool(self.dispatch(i, now)) for i in due)
        reported = 0
        for ann_id in open_:
            with self.sessions.begin() as s:
                row = s.get(AnnouncementRecord, ann_id)
                reported += bool(row is not None and D.settle(s, row, now))
        if reported:
            self.outbox.notify()
        return {"sent": sent, "reported": reported}

    def delivered_count(self, ann_id: int) -> int:
        """How many deliveries are sent (for tests and status output)."""
        with self.sessions() as s:
            return len([d for d in D.deliveries(s, ann_id) if d.state == DELIVERED])
