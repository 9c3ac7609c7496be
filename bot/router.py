"""Expert routing, second half: answer and deliver, resolve, follow up, and let the knowledge base learn."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.expert_records import RoutingRecord
from bot.experts import Expert
from bot.messages import KB_APPROVE, KB_NO, KB_REJECT, KB_YES, RESOLVED, Button
from bot.outbox import DELIVERY, enqueue
from bot.records import CLAIMED, EXPERT_ANSWERED, QuestionRecord
from bot.records import RESOLVED as ST_RESOLVED
from bot.routing import Outcome, RouterBase
from bot.texts import t


class Router(RouterBase):
    """All expert-workflow transitions; each is one transaction that also queues its messages."""

    # -- answer, resolve ------------------------------------------------------------------

    def answer(self, question_id: int, e: Expert, text: str) -> Outcome:
        """Store the expert's answer and deliver it to the asker in the original chat."""
        lang, now = self._lang(e), self.clock()
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
            self._event(s, q, EXPERT_ANSWERED, e.name)
            body = t("delivered", q.language, name=e.name, question=q.text, answer=text)
            resolved = (Button(RESOLVED, t("btn_resolved", q.language), str(q.id)),)
            enqueue(s, self._asker(q, body, resolved), DELIVERY, e.id, now)
            consent = (
                Button(KB_YES, t("btn_kb_yes", lang), str(q.id)),
                Button(KB_NO, t("btn_kb_no", lang), str(q.id)),
            )
            self._to_expert(s, e, q, t("answer_sent", lang, asker=q.user_name or q.user_id), buttons=consent)
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
            if q.status != ST_RESOLVED:
                self._event(s, q, ST_RESOLVED, str(user_id))
                r = s.get(RoutingRecord, q.id)
                if r is not None:
                    r.next_check_at = None  # resolved: no more reminders or expiry
                    r.version += 1
                holder = self.experts.get(r.answered_by) if r and r.answered_by else None
                if holder is not None:
                    self._to_expert(
                        s,
                        holder,
                        q,
                        t("resolved_expert", self._lang(holder), asker=q.user_name or q.user_id, id=q.id),
                    )
            lang = q.language
        self.outbox.notify()
        return Outcome(t("resolved_thanks", lang))

    def follow_up(self, parent: QuestionRecord, question_id: int) -> Outcome | None:
        """Send a follow-up question straight to the expert who answered the parent (None: no expert)."""
        with self.sessions() as s:
            pr = s.get(RoutingRecord, parent.id)
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
                RoutingRecord(
                    question_id=q.id,
                    stage=2,
                    routed_at=now,
                    claimed_by=holder.id,
                    claimed_at=now,
                    next_check_at=now + self.timers.claim_remind,
                    claim_reminded=False,
                    answer="",
                    kb_status="",
                    kb_path="",
                    version=0,
                )
            )
            self._event(s, q, CLAIMED, holder.name, f"follow-up to #{parent.id}")
            head = t(
                "followup_offer",
                self._lang(holder),
                asker=q.user_name or q.user_id,
                parent=parent.id,
                id=q.id,
                question=q.text,
            )
            self._offer(s, q, holder, head)
            lang = q.language
        self.outbox.notify()
        return Outcome(t("followup_routed", lang, name=holder.name))

    # -- the knowledge base learns --------------------------------------------------------

    def consent(self, question_id: int, e: Expert, yes: bool) -> Outcome:
        """The answering expert agrees (or not) to add the answer to the knowledge base."""
        lang = self._lang(e)
        with self.sessions.begin() as s:
            r = s.get(RoutingRecord, question_id)
            if r is None or r.answered_by != e.id:
                holder = self.experts.get(r.answered_by) if r and r.answered_by else None
                return Outcome(
                    t("not_claimer", lang, id=question_id, name=holder.name if holder else "?"), False
                )
            if r.kb_status:
                return Outcome(t("kb_done", lang), False)
            q = s.get(QuestionRecord, question_id)
            assert q is not None
            if not yes:
                r.kb_status = "declined"
                return Outcome(t("kb_declined", lang))
            if self.kb_approval:
                r.kb_status = "pending"
                buttons = (
                    Button(KB_APPROVE, t("btn_approve", "nl"), str(q.id)),
                    Button(KB_REJECT, t("btn_reject", "nl"), str(q.id)),
                )
                self._to_moderators(
                    s,
                    q,
                    t("kb_approval", "nl", id=q.id, question=q.text, name=e.name, answer=r.answer),
                    buttons=buttons,
                )
                out = Outcome(t("kb_pending", lang))
            else:
                r.kb_status = "approved"
                out = Outcome(t("kb_published", lang))
        self.outbox.notify()
        self.publish_approved()
        return out

    def approve(self, question_id: int, moderator: str, yes: bool) -> Outcome:
        """A moderator approves or rejects a pending knowledge-base entry."""
        with self.sessions.begin() as s:
            r = s.get(RoutingRecord, question_id)
            if r is None or r.kb_status != "pending":
                return Outcome(t("kb_done", "nl"), False)
            r.kb_status = "approved" if yes else "declined"
        self.publish_approved()
        return Outcome(t("kb_approved" if yes else "kb_rejected", "nl"))

    def publish_approved(self) -> int:
        """Write approved answers into the knowledge base (also catches up after a crash)."""
        if self.publisher is None:
            return 0
        with self.sessions() as s:
            rows = list(s.scalars(select(RoutingRecord).where(RoutingRecord.kb_status == "approved")))
        n = 0
        for r in rows:
            with self.sessions() as s:
                q = s.get(QuestionRecord, r.question_id)
            e = self.experts.get(r.answered_by) if r.answered_by else None
            if q is None or e is None:
                continue
            path = self.publisher(q, r.answer, e.name)
            with self.sessions.begin() as s:
                s.execute(
                    update(RoutingRecord)
                    .where(RoutingRecord.question_id == r.question_id, RoutingRecord.kb_status == "approved")
                    .values(kb_status="published", kb_path=path)
                )
            n += 1
        return n
