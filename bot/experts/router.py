"""The router: every transition of a routed question, each one transaction that queues its messages.

Offer to the best matching experts, claim (exactly one expert wins), release, pass on, answer and
deliver to the asker, resolve, and send a follow-up to the expert who answered. Reminders and
escalation are in bot/experts/timers.py; the way into the knowledge base in bot/experts/learning.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.conversations.records import CLAIMED, EXPERT_ANSWERED, RESOLVED, ROUTED, QuestionRecord
from bot.conversations.store import record_event
from bot.delivery.outbox import Outbox, withdraw
from bot.experts.directory import Expert, ExpertDirectory
from bot.experts.matching import ExpertMatcher
from bot.experts.notices import DELIVERY, TAKEN, Notices
from bot.experts.records import OfferRecord, RoutingRecord
from bot.messages import KB_NO, KB_YES, Button, ChatRef
from bot.messages import RESOLVED as RESOLVED_BUTTON
from bot.texts import t
from storage.db import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Timers:
    """T1–T3 and the give-up time, from the settings."""

    remind: timedelta = timedelta(hours=4)
    widen: timedelta = timedelta(hours=24)
    claim_remind: timedelta = timedelta(hours=48)
    give_up: timedelta = timedelta(hours=96)


@dataclass(frozen=True)
class RoutingPolicy:
    """How questions are routed: timers, how many experts, experts channels, moderators."""

    timers: Timers = Timers()
    n_experts: int = 2
    channels: Mapping[str, str] = field(default_factory=dict)  # platform -> experts channel
    moderators: frozenset[tuple[str, str]] = frozenset()  # (platform, user id)
    kb_approval: bool = False  # expert answers need a moderator before they join the KB


@dataclass(frozen=True)
class Outcome:
    """What to tell the person who acted (privately where the platform allows)."""

    text: str
    ok: bool = True


def new_routing(question_id: int, now: datetime, **values: object) -> RoutingRecord:
    """A fresh routing row (offered, unclaimed) with the given changes."""
    fields: dict[str, object] = dict(
        question_id=question_id,
        stage=0,
        routed_at=now,
        claim_reminded=False,
        answer="",
        kb_status="",
        kb_path="",
        version=0,
    )
    fields.update(values)
    return RoutingRecord(**fields)


class Router:
    """Routes questions to experts and moves them through claim, answer and resolution."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        experts: ExpertDirectory,
        matcher: ExpertMatcher,
        outbox: Outbox,
        notices: Notices,
        policy: RoutingPolicy = RoutingPolicy(),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.experts = experts
        self.matcher = matcher
        self.outbox = outbox
        self.notices = notices
        self.timers = policy.timers
        self.n_experts = policy.n_experts
        self.channels = {p: c for p, c in policy.channels.items() if c}
        self.clock = clock

    # -- reading --------------------------------------------------------------------------

    def open_offers(self) -> dict[int, int]:
        """Unclaimed questions currently offered to each expert (spreads load)."""
        with self.sessions() as s:
            rows = s.execute(
                select(OfferRecord.expert_id, func.count())
                .join(RoutingRecord, RoutingRecord.question_id == OfferRecord.question_id)
                .where(RoutingRecord.claimed_by.is_(None), RoutingRecord.answered_at.is_(None))
                .group_by(OfferRecord.expert_id)
            ).all()
        return {int(e): int(n) for e, n in rows}

    def routing(self, question_id: int) -> RoutingRecord | None:
        """Where a routed question stands (None when it was never routed)."""
        with self.sessions() as s:
            return s.get(RoutingRecord, question_id)

    @staticmethod
    def _move(s: Session, question_id: int, held_by: int | None, **values: object) -> bool:
        """Change an unanswered routing only while `held_by` holds it (None: unclaimed); True if changed."""
        col = RoutingRecord.claimed_by
        holder = col.is_(None) if held_by is None else col == held_by
        done = s.execute(
            update(RoutingRecord)
            .where(RoutingRecord.question_id == question_id, holder, RoutingRecord.answered_at.is_(None))
            .values(version=RoutingRecord.version + 1, **values)
        ).rowcount  # type: ignore[attr-defined]
        return bool(done == 1)

    # -- routing --------------------------------------------------------------------------

    def route(self, question_id: int, actor: str) -> Outcome:
        """Offer a question to the best matching available experts (and the experts channel)."""
        now = self.clock()
        with self.sessions() as s:
            q0 = s.get(QuestionRecord, question_id)
            if q0 is None:
                return Outcome(t("unknown_question", "nl"), False)
            text, lang = q0.context or q0.text, q0.language
        experts = self.experts.all()
        ranked = self.matcher.rank(text, lang, experts, now, self.open_offers())
        # When even the best expert is below the minimum fit, nobody is offered the question: the
        # experts' channel and the moderators get it instead of the least bad expert. Without a
        # channel or a moderator the best experts still get it: better than nobody.
        humans = bool(self.channels or self.notices.moderators or any(e.moderator for e in experts))
        fits = bool(ranked) and (ranked[0].fits or not humans)
        matches = ranked[: self.n_experts] if fits else []
        with self.sessions.begin() as s:
            q = s.get(QuestionRecord, question_id, with_for_update=True)
            assert q is not None
            if s.get(RoutingRecord, q.id) is not None:
                return Outcome(t("expert_already", q.language), False)
            s.add(new_routing(q.id, now, next_check_at=now + self.timers.remind))
            detail = ", ".join(f"{m.expert.name} ({m.score:.2f})" for m in matches)
            if not matches and ranked:
                detail = f"no expert fits (best: {ranked[0].expert.name} {ranked[0].score:.2f})"
            record_event(s, q, ROUTED, actor, now, detail)
            asker = q.user_name or q.user_id
            for m in matches:
                head = t(
                    "offer", m.expert.language, id=q.id, asker=asker, platform=q.platform, question=q.text
                )
                self.notices.offer(s, q, m.expert, head, m.reason, m.score)
            for platform, channel in self.channels.items():
                head = t("offer", "nl", id=q.id, asker=asker, platform=q.platform, question=q.text)
                self.notices.to_channel(s, q, ChatRef(platform, channel), head)
            if not matches:
                self.notices.to_moderators(
                    s, q, t("offer_widened", "nl", id=q.id, question=q.text), offer=True
                )
            text_out = t("routed_to_expert" if matches or self.channels else "routed_no_expert", q.language)
        self.outbox.notify()
        return Outcome(text_out)

    # -- claim, release, pass on ----------------------------------------------------------

    def claim(self, question_id: int, e: Expert) -> Outcome:
        """Exactly one expert wins a claim; the others are told who has it."""
        lang, now = e.language, self.clock()
        if e.open_claims >= e.capacity:
            return Outcome(t("claim_full", lang, n=e.open_claims), False)
        with self.sessions.begin() as s:
            won = self._move(
                s,
                question_id,
                None,
                claimed_by=e.id,
                claimed_at=now,
                claim_reminded=False,
                next_check_at=now + self.timers.claim_remind,
            )
            if not won:
                # Lost the race: the answer to this click says who has it, so the message queued
                # by the winner's claim to say the same is not sent as well.
                withdraw(s, question_id, e.id, TAKEN, now)
                return self._why_not(s.get(RoutingRecord, question_id), e, question_id, lang)
            q = s.get(QuestionRecord, question_id)
            assert q is not None
            record_event(s, q, CLAIMED, e.name, now)
            self.notices.to_asker(s, q, t("asker_claimed", q.language, name=e.name))
            for other in self.notices.offered(s, question_id):
                oe = self.experts.get(other)
                if oe is not None and oe.id != e.id:
                    text = t("claimed_by_other", oe.language, id=q.id, name=e.name)
                    self.notices.to_expert(s, oe, q, text, purpose=TAKEN)
        self.outbox.notify()
        return Outcome(t("claimed_ok", lang, id=question_id))

    def _why_not(self, r: RoutingRecord | None, e: Expert, qid: int, lang: str) -> Outcome:
        if r is None:
            return Outcome(t("unknown_qid", lang, id=qid), False)
        if r.answered_at is not None:
            return Outcome(t("question_closed", lang, id=qid), False)
        if r.claimed_by == e.id:
            return Outcome(t("claimed_ok", lang, id=qid))
        holder = self.experts.get(r.claimed_by) if r.claimed_by else None
        return Outcome(t("claimed_taken", lang, id=qid, name=holder.name if holder else "?"), False)

    def release(self, question_id: int, e: Expert, reason: str = "released") -> Outcome:
        """The claimer gives a question back; it is offered again."""
        lang, now = e.language, self.clock()
        with self.sessions.begin() as s:
            done = self._move(
                s,
                question_id,
                e.id,
                claimed_by=None,
                claimed_at=None,
                claim_reminded=False,
                stage=1,
                next_check_at=now + self.timers.remind,
            )
            if not done:
                return self._not_claimer(s, question_id, e, lang)
            q = s.get(QuestionRecord, question_id)
            assert q is not None
            record_event(s, q, ROUTED, e.name, now, reason)
            for other in self.notices.offered(s, question_id):
                oe = self.experts.get(other)
                if oe is not None and oe.id != e.id and oe.available(now):
                    head = t("released_others", oe.language, id=q.id, question=q.text)
                    self.notices.offer(s, q, oe, head)
        self.outbox.notify()
        return Outcome(t("released", lang, id=question_id))

    def _not_claimer(self, s: Session, qid: int, e: Expert, lang: str) -> Outcome:
        r = s.get(RoutingRecord, qid)
        if r is None or r.answered_at is not None or r.claimed_by is None:
            if r is not None and r.answered_at is not None:
                return self._why_not(r, e, qid, lang)
            return Outcome(t("unknown_qid" if r is None else "question_closed", lang, id=qid), False)
        holder = self.experts.get(r.claimed_by)
        return Outcome(t("not_claimer", lang, id=qid, name=holder.name if holder else "?"), False)

    def pass_on(self, question_id: int, e: Expert, colleague: Expert) -> Outcome:
        """The claimer hands a question to a named colleague, who then holds the claim."""
        lang, now = e.language, self.clock()
        with self.sessions.begin() as s:
            done = self._move(
                s,
                question_id,
                e.id,
                claimed_by=colleague.id,
                claimed_at=now,
                claim_reminded=False,
                next_check_at=now + self.timers.claim_remind,
            )
            if not done:
                return self._not_claimer(s, question_id, e, lang)
            q = s.get(QuestionRecord, question_id)
            assert q is not None
            record_event(s, q, CLAIMED, colleague.name, now, f"passed on by {e.name}")
            head = t("passed_to_you", colleague.language, sender=e.name, id=q.id, question=q.text)
            self.notices.offer(s, q, colleague, head)
        self.outbox.notify()
        return Outcome(t("passed", lang, id=question_id, name=colleague.name))

    # -- answer, resolve, follow up -------------------------------------------------------

    def answer(self, question_id: int, e: Expert, text: str) -> Outcome:
        """Store the expert's answer and deliver it to the asker in the original chat."""
        lang, now = e.language, self.clock()
        text = text.strip()
        if not text:
            return Outcome(t("answer_usage", lang), False)
        with self.sessions.begin() as s:
            # Answering an unclaimed question claims it on the way.
            self._move(s, question_id, None, claimed_by=e.id, claimed_at=now)
            done = self._move(
                s, question_id, e.id, answer=text, answered_by=e.id, answered_at=now, next_check_at=None
            )
            if not done:
                return self._not_claimer(s, question_id, e, lang)
            q = s.get(QuestionRecord, question_id)
            assert q is not None
            record_event(s, q, EXPERT_ANSWERED, e.name, now)
            body = t("delivered", q.language, name=e.name, question=q.text, answer=text)
            resolved = (Button(RESOLVED_BUTTON, t("btn_resolved", q.language), str(q.id)),)
            self.notices.to_asker(s, q, body, resolved, DELIVERY, e.id)
            consent = (
                Button(KB_YES, t("btn_kb_yes", lang), str(q.id)),
                Button(KB_NO, t("btn_kb_no", lang), str(q.id)),
            )
            sent = t("answer_sent", lang, asker=q.user_name or q.user_id)
            self.notices.to_expert(s, e, q, sent, buttons=consent)
        self.outbox.notify()
        return Outcome("")

    def resolve(self, question_id: int, user_id: str) -> Outcome:
        """The asker marks a question resolved."""
        with self.sessions.begin() as s:
            q = s.get(QuestionRecord, question_id)
            if q is None:
                return Outcome(t("unknown_question", "nl"), False)
            if q.user_id != str(user_id):
                return Outcome(t("only_asker", q.language), False)
            if q.status != RESOLVED:
                record_event(s, q, RESOLVED, str(user_id), self.clock())
                r = s.get(RoutingRecord, q.id)
                if r is not None:
                    r.next_check_at = None  # resolved: no more reminders or expiry
                    r.version += 1
                holder = self.experts.get(r.answered_by) if r and r.answered_by else None
                if holder is not None:
                    asker = q.user_name or q.user_id
                    self.notices.to_expert(
                        s, holder, q, t("resolved_expert", holder.language, asker=asker, id=q.id)
                    )
            lang = q.language
        self.outbox.notify()
        return Outcome(t("resolved_thanks", lang))

    def follow_up(self, parent: QuestionRecord, question_id: int) -> Outcome | None:
        """Send a follow-up question straight to the expert who answered the parent (None: no expert)."""
        pr = self.routing(parent.id)
        now = self.clock()
        # An expert who was removed or is away cannot take it: the caller routes it as usual.
        active = {e.id: e for e in self.experts.all()}
        holder = active.get(pr.answered_by) if pr and pr.answered_by else None
        if holder is None or (holder.away_until is not None and holder.away_until > now):
            return None
        with self.sessions.begin() as s:
            q = s.get(QuestionRecord, question_id)
            assert q is not None
            s.add(
                new_routing(
                    q.id,
                    now,
                    stage=2,
                    claimed_by=holder.id,
                    claimed_at=now,
                    next_check_at=now + self.timers.claim_remind,
                )
            )
            record_event(s, q, CLAIMED, holder.name, now, f"follow-up to #{parent.id}")
            head = t(
                "followup_offer",
                holder.language,
                asker=q.user_name or q.user_id,
                parent=parent.id,
                id=q.id,
                question=q.text,
            )
            self.notices.offer(s, q, holder, head)
            lang = q.language
        self.outbox.notify()
        return Outcome(t("followup_routed", lang, name=holder.name))
