"""Expert routing: offer, claim, release, pass on, answer, deliver, and let the knowledge base learn."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.assistant import Source
from bot.db import utcnow
from bot.expert_records import OfferRecord, RoutingRecord
from bot.experts import Expert, ExpertStore
from bot.matching import ExpertMatcher
from bot.messages import (
    CLAIM,
    Button,
    ChatRef,
    Reply,
)
from bot.outbox import OFFER, Outbox, enqueue
from bot.records import CLAIMED, ROUTED, QuestionEvent, QuestionRecord
from bot.texts import t

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Timers:
    """T1–T3 and the give-up time, from the settings."""

    remind: timedelta = timedelta(hours=4)
    widen: timedelta = timedelta(hours=24)
    claim_remind: timedelta = timedelta(hours=48)
    give_up: timedelta = timedelta(hours=96)


@dataclass(frozen=True)
class Outcome:
    """What to tell the person who acted (privately where the platform allows)."""

    text: str
    ok: bool = True


Publisher = Callable[[QuestionRecord, str, str], str]  # (question, answer, expert name) -> KB path


class RouterBase:
    """Routing, claiming, releasing and passing on (answers and learning: bot/router.py)."""

    def __init__(
        self,
        sessions: sessionmaker,
        experts: ExpertStore,
        matcher: ExpertMatcher,
        outbox: Outbox,
        *,
        timers: Timers = Timers(),
        n_experts: int = 2,
        channels: dict[str, str] | None = None,
        moderators: frozenset[tuple[str, str]] = frozenset(),
        kb_approval: bool = False,
        publisher: Publisher | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.experts = experts
        self.matcher = matcher
        self.outbox = outbox
        self.timers = timers
        self.n_experts = n_experts
        self.channels = {p: c for p, c in (channels or {}).items() if c}
        self.moderators = moderators
        self.kb_approval = kb_approval
        self.publisher = publisher
        self.clock = clock

    # -- helpers --------------------------------------------------------------------------

    def is_moderator(self, platform: str, user_id: str) -> bool:
        """Configured moderator, or an expert flagged as moderator."""
        if (platform, str(user_id)) in self.moderators:
            return True
        e = self.experts.by_identity(platform, user_id)
        return bool(e and e.moderator)

    @staticmethod
    def expert_chat(e: Expert, prefer: str) -> ChatRef | None:
        """The expert's direct chat, on the asker's platform when they are on it."""
        for platform in (prefer, "slack", "telegram"):
            uid = e.identity(platform)
            if uid:
                return ChatRef(platform, uid)
        return None

    @staticmethod
    def _lang(e: Expert) -> str:
        return e.languages[0] if e.languages and e.languages[0] in ("nl", "en") else "nl"

    def _event(self, s: Session, q: QuestionRecord, status: str, actor: str, detail: str = "") -> None:
        now = self.clock()
        q.status, q.updated_at = status, now
        s.add(QuestionEvent(question_id=q.id, status=status, actor=actor, detail=detail[:500], at=now))

    def _offer_reply(self, chat: ChatRef, q: QuestionRecord, lang: str, head: str, reason: str = "") -> Reply:
        lines = [head]
        if reason:
            lines.append(t("offer_why", lang, reason=reason))
        lines.append(t("offer_how", lang, id=q.id))
        sources = tuple(Source(**x) for x in (q.sources or [])[:3])
        if sources:
            lines.append(t("offer_sources", lang))
        buttons = (Button(CLAIM, t("btn_claim", lang), str(q.id)),)
        return Reply(
            chat=chat,
            text="\n".join(lines),
            language=lang,
            sources=sources,
            buttons=buttons,
            question_id=q.id,
            kind="notice",
        )

    def _asker(self, q: QuestionRecord, text: str, buttons: tuple[Button, ...] = ()) -> Reply:
        return Reply(
            chat=ChatRef(q.platform, q.chat_id, q.thread_id),
            text=text,
            language=q.language,
            question_id=q.id,
            reply_to=q.message_id,
            buttons=buttons,
            kind="notice",
        )

    def _to_expert(
        self,
        s: Session,
        e: Expert,
        q: QuestionRecord,
        text: str,
        purpose: str = "notice",
        buttons: tuple[Button, ...] = (),
    ) -> None:
        chat = self.expert_chat(e, q.platform)
        if chat is not None:
            enqueue(
                s,
                Reply(
                    chat=chat,
                    text=text,
                    language=self._lang(e),
                    question_id=q.id,
                    buttons=buttons,
                    kind="notice",
                ),
                purpose,
                e.id,
                self.clock(),
            )

    def _offer(
        self, s: Session, q: QuestionRecord, e: Expert, head: str, reason: str = "", score: float = 0.0
    ) -> None:
        """Offer a question to an expert (once per expert) with a claim button."""
        if (
            s.scalar(
                select(OfferRecord).where(OfferRecord.question_id == q.id, OfferRecord.expert_id == e.id)
            )
            is None
        ):
            s.add(
                OfferRecord(
                    question_id=q.id, expert_id=e.id, score=score, reason=reason[:300], at=self.clock()
                )
            )
        chat = self.expert_chat(e, q.platform)
        if chat is not None:
            enqueue(s, self._offer_reply(chat, q, self._lang(e), head, reason), OFFER, e.id, self.clock())

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

    def _offered(self, s: Session, qid: int) -> list[int]:
        return list(s.scalars(select(OfferRecord.expert_id).where(OfferRecord.question_id == qid)))

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
        matches = self.matcher.rank(text, lang, experts, now, self.open_offers())[: self.n_experts]
        with self.sessions.begin() as s:
            q = s.get(QuestionRecord, question_id, with_for_update=True)
            assert q is not None
            if s.get(RoutingRecord, q.id) is not None:
                return Outcome(t("expert_already", q.language), False)
            s.add(
                RoutingRecord(
                    question_id=q.id,
                    stage=0,
                    routed_at=now,
                    next_check_at=now + self.timers.remind,
                    claim_reminded=False,
                    answer="",
                    kb_status="",
                    kb_path="",
                    version=0,
                )
            )
            self._event(s, q, ROUTED, actor, ", ".join(f"{m.expert.name} ({m.score:.2f})" for m in matches))
            asker = q.user_name or q.user_id
            for m in matches:
                head = t(
                    "offer", self._lang(m.expert), id=q.id, asker=asker, platform=q.platform, question=q.text
                )
                self._offer(s, q, m.expert, head, m.reason, m.score)
            for platform, channel in self.channels.items():
                head = t("offer", "nl", id=q.id, asker=asker, platform=q.platform, question=q.text)
                enqueue(s, self._offer_reply(ChatRef(platform, channel), q, "nl", head), OFFER, None, now)
            if not matches:
                self._to_moderators(s, q, t("offer_widened", "nl", id=q.id, question=q.text), offer=True)
            text_out = t("routed_to_expert" if matches or self.channels else "routed_no_expert", q.language)
        self.outbox.notify()
        return Outcome(text_out)

    def _to_moderators(
        self, s: Session, q: QuestionRecord, text: str, offer: bool = False, buttons: tuple[Button, ...] = ()
    ) -> None:
        experts = {(p, e.identity(p)): e for e in self.experts.all() for p in ("slack", "telegram")}
        targets = set(self.moderators) | {(p, u) for (p, u), e in experts.items() if u and e.moderator}
        done: set[int] = set()  # an expert on both platforms is one person: one message
        for platform, uid in sorted(targets):
            e = experts.get((platform, uid))
            if e is not None:
                if e.id in done:
                    continue
                done.add(e.id)
                if offer:
                    self._offer(s, q, e, text)
                    continue
            reply = Reply(
                chat=ChatRef(platform, uid),
                text=text,
                language="nl",
                question_id=q.id,
                # A moderator who is not an expert cannot claim: no claim button for them.
                buttons=buttons,
                kind="notice",
            )
            enqueue(s, reply, "notice", None, self.clock())

    # -- claim, release, pass on ----------------------------------------------------------

    def claim(self, question_id: int, e: Expert) -> Outcome:
        """Exactly one expert wins a claim; the others are told who has it."""
        lang, now = self._lang(e), self.clock()
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
                return self._why_not(s.get(RoutingRecord, question_id), e, question_id, lang)
            q = s.get(QuestionRecord, question_id)
            assert q is not None
            self._event(s, q, CLAIMED, e.name)
            enqueue(s, self._asker(q, t("asker_claimed", q.language, name=e.name)), "notice", None, now)
            for other in self._offered(s, question_id):
                oe = self.experts.get(other)
                if oe is not None and oe.id != e.id:
                    self._to_expert(s, oe, q, t("claimed_by_other", self._lang(oe), id=q.id, name=e.name))
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
        lang, now = self._lang(e), self.clock()
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
            self._event(s, q, ROUTED, e.name, reason)
            for other in self._offered(s, question_id):
                oe = self.experts.get(other)
                if oe is not None and oe.id != e.id and oe.available(now):
                    self._offer(s, q, oe, t("released_others", self._lang(oe), id=q.id, question=q.text))
        self.outbox.notify()
        return Outcome(t("released", lang, id=question_id))

    def _not_claimer(self, s: Session, qid: int, e: Expert, lang: str) -> Outcome:
        r = s.get(RoutingRecord, qid)
        if r is None or r.answered_at is not None or r.claimed_by is None:
            return (
                self._why_not(r, e, qid, lang)
                if r and r.answered_at
                else Outcome(t("unknown_qid" if r is None else "question_closed", lang, id=qid), False)
            )
        holder = self.experts.get(r.claimed_by)
        return Outcome(t("not_claimer", lang, id=qid, name=holder.name if holder else "?"), False)

    def pass_on(self, question_id: int, e: Expert, colleague: Expert) -> Outcome:
        """The claimer hands a question to a named colleague, who then holds the claim."""
        lang, now = self._lang(e), self.clock()
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
            self._event(s, q, CLAIMED, colleague.name, f"passed on by {e.name}")
            head = t("passed_to_you", self._lang(colleague), sender=e.name, id=q.id, question=q.text)
            self._offer(s, q, colleague, head)
        self.outbox.notify()
        return Outcome(t("passed", lang, id=question_id, name=colleague.name))
