"""Reminders and escalation of routed questions; the timers live in the database and survive restarts.

Run by the scheduler as the job `experts.timers`; every step is an optimistic-lock update, so it is
also safe when several replicas tick at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.conversations.records import EXPIRED, QuestionRecord
from bot.conversations.store import record_event
from bot.delivery.outbox import Outbox
from bot.experts.directory import ExpertDirectory
from bot.experts.learning import Learning
from bot.experts.notices import Notices
from bot.experts.records import RoutingRecord
from bot.experts.router import Router
from bot.texts import t

log = logging.getLogger(__name__)


class ExpertTimers:
    """T1 remind, T2 widen, give up; T3 remind the claimer, then release the claim."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        experts: ExpertDirectory,
        router: Router,
        notices: Notices,
        learning: Learning,
        outbox: Outbox,
        clock: Callable[[], datetime],
    ) -> None:
        self.sessions = sessions
        self.experts = experts
        self.router = router
        self.notices = notices
        self.learning = learning
        self.outbox = outbox
        self.clock = clock

    def tick(self) -> dict[str, int]:
        """Run every transition that is due; safe to call from several replicas at once."""
        now = self.clock()
        counts = {"reminded": 0, "widened": 0, "expired": 0, "claim_reminded": 0, "released": 0}
        with self.sessions() as s:
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
                step = self.step(r, now)
            except Exception:  # noqa: BLE001 - one broken row must not stop the others
                log.exception("timer step failed for question %s", r.question_id)
                continue
            if step:
                counts[step] += 1
        self.learning.publish_approved()
        if any(counts.values()):
            self.outbox.notify()
        return counts

    def _take(self, r: RoutingRecord, **values: object) -> bool:
        """Apply a transition only if nobody changed the row since we read it (optimistic lock)."""
        with self.sessions.begin() as s:
            won = s.execute(
                update(RoutingRecord)
                .where(RoutingRecord.question_id == r.question_id, RoutingRecord.version == r.version)
                .values(version=r.version + 1, **values)
            ).rowcount  # type: ignore[attr-defined]
        return bool(won == 1)

    def step(self, r: RoutingRecord, now: datetime) -> str | None:
        """The one due transition of a routing as read at `now`; None when another process took it."""
        if r.claimed_by is not None:
            return self._claimed_step(r, now)
        tm = self.router.timers
        if r.stage == 0:
            if not self._take(r, stage=1, next_check_at=r.routed_at + tm.widen):
                return None
            with self.sessions.begin() as s:
                q = _question(s, r)
                for eid in self.notices.offered(s, q.id):
                    e = self.experts.get(eid)
                    if e is not None and e.available(now):
                        self.notices.offer(s, q, e, t("offer_reminder", e.language, id=q.id, question=q.text))
            return "reminded"
        if r.stage == 1:
            # Whoever is asked now gets the usual time to answer, also when a late release brought
            # the question back here after the original give-up moment.
            give_up_at = max(r.routed_at + tm.give_up, now + (tm.give_up - tm.widen))
            if not self._take(r, stage=2, next_check_at=give_up_at):
                return None
            with self.sessions.begin() as s:
                q = _question(s, r)
                offered = set(self.notices.offered(s, q.id))
                for e in self.experts.all():
                    # Moderators get it (once) from to_moderators below.
                    if e.id not in offered and e.available(now) and not e.moderator:
                        self.notices.offer(s, q, e, t("offer_widened", e.language, id=q.id, question=q.text))
                self.notices.to_moderators(
                    s, q, t("offer_widened", "nl", id=q.id, question=q.text), offer=True
                )
            return "widened"
        if not self._take(r, next_check_at=None):
            return None
        with self.sessions.begin() as s:
            q = _question(s, r)
            record_event(s, q, EXPIRED, "timer", self.clock())
            self.notices.to_asker(s, q, t("expired_asker", q.language, question=q.text))
        return "expired"

    def _claimed_step(self, r: RoutingRecord, now: datetime) -> str | None:
        """T3 on a claimed question: remind the claimer once, then release the claim."""
        claim_remind = self.router.timers.claim_remind
        claimer = self.experts.get(r.claimed_by) if r.claimed_by is not None else None
        if not r.claim_reminded:
            claimed_at = r.claimed_at or r.routed_at  # a claim always has its time; old rows may not
            if not self._take(r, claim_reminded=True, next_check_at=claimed_at + 2 * claim_remind):
                return None
            if claimer is not None:
                with self.sessions.begin() as s:
                    q = _question(s, r)
                    text = t("claim_reminder", claimer.language, id=q.id, question=q.text)
                    self.notices.to_expert(s, claimer, q, text)
            return "claim_reminded"
        # Take the step first (with a retry time in case this process dies before releasing), so
        # that of several replicas only one releases and tells the claimer.
        if claimer is None or not self._take(r, next_check_at=now + self.router.timers.remind):
            return None
        if not self.router.release(r.question_id, claimer, reason="no answer in time").ok:
            return None
        with self.sessions.begin() as s:
            q = _question(s, r)
            self.notices.to_expert(s, claimer, q, t("claim_timed_out", claimer.language, id=q.id))
        return "released"


def _question(s: Session, r: RoutingRecord) -> QuestionRecord:
    q = s.get(QuestionRecord, r.question_id)
    assert q is not None
    return q
