"""Reminders and escalation of routed questions; the timers live in the database and survive restarts."""

from __future__ import annotations

import logging

from sqlalchemy import select, update

from bot.expert_records import RoutingRecord
from bot.outbox import enqueue
from bot.records import EXPIRED, QuestionRecord
from bot.router import Router
from bot.texts import t

log = logging.getLogger(__name__)


def tick(router: Router) -> dict[str, int]:
    """Run every transition that is due; safe to call from several replicas at once."""
    now = router.clock()
    counts = {"reminded": 0, "widened": 0, "expired": 0, "claim_reminded": 0, "released": 0}
    with router.sessions() as s:
        due = list(
            s.scalars(
                select(RoutingRecord).where(
                    RoutingRecord.next_check_at.is_not(None),
                    RoutingRecord.next_check_at <= now,
                    RoutingRecord.answered_at.is_(None),
                )
            )
        )
    for r in due:
        try:
            step = _step(router, r, now)
        except Exception:  # noqa: BLE001 - one broken row must not stop the others
            log.exception("timer step failed for question %s", r.question_id)
            continue
        if step:
            counts[step] += 1
    router.publish_approved()
    if any(counts.values()):
        router.outbox.notify()
    return counts


def _take(router: Router, r: RoutingRecord, **values: object) -> bool:
    """Apply a transition only if nobody changed the row since we read it (optimistic lock)."""
    with router.sessions.begin() as s:
        won = s.execute(
            update(RoutingRecord)
            .where(RoutingRecord.question_id == r.question_id, RoutingRecord.version == r.version)
            .values(version=r.version + 1, **values)
        ).rowcount  # type: ignore[attr-defined]
    return won == 1


def _step(router: Router, r: RoutingRecord, now) -> str | None:  # type: ignore[no-untyped-def]
    tm = router.timers
    if r.claimed_by is not None:
        claimer = router.experts.get(r.claimed_by)
        if not r.claim_reminded:
            if not _take(router, r, claim_reminded=True, next_check_at=r.claimed_at + 2 * tm.claim_remind):
                return None
            if claimer is not None:
                with router.sessions.begin() as s:
                    q = s.get(QuestionRecord, r.question_id)
                    assert q is not None
                    router._to_expert(
                        s, claimer, q, t("claim_reminder", router._lang(claimer), id=q.id, question=q.text)
                    )
            return "claim_reminded"
        # Take the step first (with a retry time in case this process dies before releasing), so
        # that of several replicas only one releases and tells the claimer.
        if claimer is None or not _take(router, r, next_check_at=now + tm.remind):
            return None
        if not router.release(r.question_id, claimer, reason="no answer in time").ok:
            return None
        with router.sessions.begin() as s:
            q = s.get(QuestionRecord, r.question_id)
            assert q is not None
            router._to_expert(s, claimer, q, t("claim_timed_out", router._lang(claimer), id=q.id))
        return "released"
    if r.stage == 0:
        if not _take(router, r, stage=1, next_check_at=r.routed_at + tm.widen):
            return None
        with router.sessions.begin() as s:
            q = s.get(QuestionRecord, r.question_id)
            assert q is not None
            for eid in router._offered(s, q.id):
                e = router.experts.get(eid)
                if e is not None and e.available(now):
                    router._offer(s, q, e, t("offer_reminder", router._lang(e), id=q.id, question=q.text))
        return "reminded"
    if r.stage == 1:
        # Whoever is asked now gets the usual time to answer, also when a late release brought
        # the question back here after the original give-up moment.
        give_up_at = max(r.routed_at + tm.give_up, now + (tm.give_up - tm.widen))
        if not _take(router, r, stage=2, next_check_at=give_up_at):
            return None
        with router.sessions.begin() as s:
            q = s.get(QuestionRecord, r.question_id)
            assert q is not None
            offered = set(router._offered(s, q.id))
            for e in router.experts.all():
                # Moderators get it (once) from _to_moderators below.
                if e.id not in offered and e.available(now) and not e.moderator:
                    router._offer(s, q, e, t("offer_widened", router._lang(e), id=q.id, question=q.text))
            router._to_moderators(s, q, t("offer_widened", "nl", id=q.id, question=q.text), offer=True)
        return "widened"
    if not _take(router, r, next_check_at=None):
        return None
    with router.sessions.begin() as s:
        q = s.get(QuestionRecord, r.question_id)
        assert q is not None
        router._event(s, q, EXPIRED, "timer")
        enqueue(s, router._asker(q, t("expired_asker", q.language, question=q.text)), "notice", None, now)
    return "expired"
