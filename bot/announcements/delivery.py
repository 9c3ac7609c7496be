"""An announcement on its way: one outbox row per target, edits and withdrawals, the author's report.

Every target is its own outbox row, so one channel that fails (not_in_channel, 429, a chat that
blocked the bot) never holds up the others. The `on_sent` hook records the posted message id per
delivery; an edit or withdrawal that crossed a send in flight is caught up in that same hook.

The report: an announcement is settled when every delivery is sent, given up by the outbox
(MAX_ATTEMPTS, its error kept) or withdrawn, or when REPORT_AFTER has passed (a platform that is
not running: its rows are reported as waiting). `settle` runs in the hook after each send and in a
periodic job (failures do not call hooks); a conditional update of `reported_at` sends it once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.orm import Session

from bot.announcements.model import Target
from bot.announcements.records import (
    DELIVERED,
    DRAFT,
    FAILED,
    GONE,
    PENDING,
    SCHEDULED,
    WITHDRAWN,
    AnnouncementDeliveryRecord,
    AnnouncementRecord,
)
from bot.delivery.outbox import DELETE, MAX_ATTEMPTS, UPDATE, enqueue
from bot.delivery.records import OutboxRecord
from bot.messages import ChatRef, Posted, Reply, reply_to_dict
from bot.texts import t

PURPOSE = "announcement"  # the outbox purpose of a post (its hook records the message id)
CHANGE = "announcement_change"  # ... of an edit or a withdrawal of a post
TELEGRAM_DELETE_WINDOW = timedelta(hours=48)  # Telegram deletes a bot's message up to 48 h after
DELETE_MARGIN = timedelta(minutes=10)  # a delete queued near the end might arrive too late
REPORT_AFTER = timedelta(minutes=30)  # report what is still waiting after this long


def post_of(ann: AnnouncementRecord, d: AnnouncementDeliveryRecord) -> Reply:
    """The message of an announcement in one channel."""
    chat = ChatRef(d.platform, d.chat_id, d.topic or None)
    return Reply(chat, ann.text, ann.language, kind="notice")


def add_deliveries(s: Session, ann: AnnouncementRecord, targets: tuple[Target, ...]) -> None:
    """One delivery row per target (inside the caller's transaction)."""
    for target in targets:
        s.add(
            AnnouncementDeliveryRecord(
                announcement_id=ann.id,
                platform=target.platform,
                chat_id=target.chat_id,
                topic=target.topic,
                message_id="",
                state=PENDING,
                error="",
            )
        )


def deliveries(s: Session, ann_id: int) -> list[AnnouncementDeliveryRecord]:
    """The delivery rows of an announcement, in target order."""
    q = select(AnnouncementDeliveryRecord).where(AnnouncementDeliveryRecord.announcement_id == ann_id)
    return list(s.scalars(q.order_by(AnnouncementDeliveryRecord.id)))


def fan_out(s: Session, ann: AnnouncementRecord, now: datetime) -> int:
    """Queue the announcement for every target that has no outbox row yet; how many were queued."""
    n = 0
    for d in deliveries(s, ann.id):
        if d.state == PENDING and d.outbox_id is None:
            out = enqueue(s, post_of(ann, d), PURPOSE, now=now)
            s.flush()
            d.outbox_id = out.id
            n += 1
    return n


def _free(now: datetime) -> ColumnElement[bool]:
    return or_(OutboxRecord.lease_until.is_(None), OutboxRecord.lease_until < now)


def edit_one(s: Session, ann: AnnouncementRecord, d: AnnouncementDeliveryRecord, now: datetime) -> bool:
    """Bring one delivery to the announcement's new text; whether a posted message is updated."""
    if d.state == DELIVERED:
        target = Posted(d.chat_id, d.message_id)
        out = enqueue(s, post_of(ann, d), CHANGE, now=now, op=UPDATE, target=target)
        s.flush()
        d.change_id = out.id
        return True
    if d.state == PENDING and d.outbox_id is not None:
        # Not sent yet: the queued message gets the new text (if a sender holds it right now,
        # the on_sent hook sees the old text went out and queues an update).
        s.execute(
            update(OutboxRecord)
            .where(OutboxRecord.id == d.outbox_id, OutboxRecord.sent_at.is_(None), _free(now))
            .values(payload=reply_to_dict(post_of(ann, d)))
        )
    return False


def withdraw_one(s: Session, ann: AnnouncementRecord, d: AnnouncementDeliveryRecord, now: datetime) -> str:
    """Take one delivery back: 'deleted', 'noticed' (Telegram after 48 h: edited to a notice) or ''."""
    if d.state == DELIVERED:
        target = Posted(d.chat_id, d.message_id)
        if d.platform == "telegram" and not can_delete(d.sent_at, now):
            notice = Reply(post_of(ann, d).chat, t("an_withdrawn_notice", ann.language), ann.language)
            out = enqueue(s, notice, CHANGE, now=now, op=UPDATE, target=target)
            kind = "noticed"
        else:
            out = enqueue(s, post_of(ann, d), CHANGE, now=now, op=DELETE, target=target)
            kind = "deleted"
        s.flush()
        d.change_id = out.id
        return kind
    if d.state == PENDING:
        if d.outbox_id is None:
            d.state = GONE
        else:
            gone = s.execute(
                delete(OutboxRecord).where(
                    OutboxRecord.id == d.outbox_id, OutboxRecord.sent_at.is_(None), _free(now)
                )
            ).rowcount  # type: ignore[attr-defined]
            if gone == 1:  # else a sender holds it: the hook takes the posted message back
                d.state, d.outbox_id = GONE, None
    return ""


def can_delete(sent_at: datetime | None, now: datetime) -> bool:
    """Whether Telegram still deletes a message sent at `sent_at` (48 hours, with a margin)."""
    return sent_at is not None and now - sent_at < TELEGRAM_DELETE_WINDOW - DELETE_MARGIN


def on_sent(s: Session, outbox_id: int, posted: list[Posted], text: str, now: datetime) -> None:
    """A post went out: remember where, catch up with an edit or withdrawal, maybe report."""
    d = s.scalar(select(AnnouncementDeliveryRecord).where(AnnouncementDeliveryRecord.outbox_id == outbox_id))
    if d is None or not posted:
        return
    d.chat_id, d.message_id = posted[0].chat_id, posted[0].message_id
    d.state, d.sent_at, d.error = DELIVERED, now, ""
    ann = s.get(AnnouncementRecord, d.announcement_id)
    if ann is None:
        return
    if ann.state == WITHDRAWN:
        withdraw_one(s, ann, d, now)
    elif text != ann.text:
        edit_one(s, ann, d, now)
    settle(s, ann, now)


def on_changed(s: Session, outbox_id: int, op: str) -> None:
    """An edit or deletion went out: a withdrawn announcement's message is gone (or a notice)."""
    d = s.scalar(select(AnnouncementDeliveryRecord).where(AnnouncementDeliveryRecord.change_id == outbox_id))
    if d is None:
        return
    ann = s.get(AnnouncementRecord, d.announcement_id)
    if op == DELETE or (ann is not None and ann.state == WITHDRAWN):
        d.state = GONE


def settle(s: Session, ann: AnnouncementRecord, now: datetime) -> bool:
    """Read the outbox for each delivery; queue the author's report once all are settled."""
    if ann.reported_at is not None or ann.state in (DRAFT, SCHEDULED):
        return False
    rows = deliveries(s, ann.id)
    waiting: list[tuple[AnnouncementDeliveryRecord, str]] = []
    for d in rows:
        if d.state != PENDING or d.outbox_id is None:
            continue
        out = s.get(OutboxRecord, d.outbox_id)
        if out is not None and out.sent_at is None and out.attempts >= MAX_ATTEMPTS:
            d.state, d.error = FAILED, _reason(out.error)
        elif out is not None and out.sent_at is None:
            waiting.append((d, _reason(out.error)))
    if waiting and now - ann.at < REPORT_AFTER:
        return False
    won = s.execute(
        update(AnnouncementRecord)
        .where(AnnouncementRecord.id == ann.id, AnnouncementRecord.reported_at.is_(None))
        .values(reported_at=now)
    ).rowcount  # type: ignore[attr-defined]
    platform, _, user = ann.author.partition(":")
    if won != 1 or not user or all(d.state == GONE for d in rows):
        return won == 1
    enqueue(
        s, Reply(ChatRef(platform, user), report(ann, rows, waiting), ann.language, kind="notice"), now=now
    )
    return True


def report(
    ann: AnnouncementRecord,
    rows: list[AnnouncementDeliveryRecord],
    waiting: list[tuple[AnnouncementDeliveryRecord, str]],
) -> str:
    """n of m delivered, and what failed or still waits, and why."""
    lang = ann.language
    reached = sum(d.state in (DELIVERED, GONE) and bool(d.message_id) for d in rows)
    counted = [d for d in rows if not (d.state == GONE and not d.message_id)]
    lines = [t("an_report_head", lang, id=ann.id, n=reached, m=len(counted))]
    for d in rows:
        if d.state == FAILED:
            lines.append(t("an_report_failed", lang, target=_label(d), why=d.error or "?"))
    for d, why in waiting:
        lines.append(
            t("an_report_waiting", lang, target=_label(d), why=why or t("an_report_no_reason", lang))
        )
    return "\n".join(lines)


def _label(d: AnnouncementDeliveryRecord) -> str:
    return Target(d.platform, d.chat_id, d.topic).label


def _reason(error: str) -> str:
    """An outbox error as people read it: without the exception's class name, one line."""
    head, sep, rest = error.partition(": ")
    text = rest if sep and head.isidentifier() else error
    return " ".join(text.split())[:200]
