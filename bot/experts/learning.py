"""The knowledge base learns: an expert's answer becomes a Q&A entry, with consent (and approval)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.conversations.records import QuestionRecord
from bot.delivery.outbox import Outbox
from bot.experts.directory import Expert, ExpertDirectory
from bot.experts.notices import Notices
from bot.experts.records import RoutingRecord
from bot.experts.router import Outcome
from bot.messages import KB_APPROVE, KB_REJECT, Button
from bot.privacy.paraphrase import anonymise, without_names
from bot.texts import t
from ingest.loaders import file_hash
from knowledge_base.models import Document

if TYPE_CHECKING:
    from ingest.chunking import Chunker
    from knowledge_base.store import KnowledgeBase

Publisher = Callable[[QuestionRecord, str, str], str]  # (question, answer, expert name) -> KB path


class QAPublisher:
    """Writes an expert's answer into the knowledge base as a Q&A entry (`qa/vraag-<id>.md`).

    The expert consented to publish their answer; the asker did not, so the entry carries an
    anonymised version of the question (bot/privacy/paraphrase.py: no names, numbers, places,
    contact details) and the answer without the asker's name."""

    def __init__(self, kb: KnowledgeBase, chunker: Chunker) -> None:
        self.kb = kb
        self.chunker = chunker

    def __call__(self, q: QuestionRecord, answer: str, expert: str) -> str:
        path = f"qa/vraag-{q.id}.md"
        when = q.updated_at.strftime("%Y-%m-%d")
        asker = [q.user_name] if q.user_name else []
        question = anonymise(q.text, asker)
        answer = without_names(answer, asker)
        text = t("qa_entry", q.language, question=question, answer=answer, expert=expert, date=when)
        doc = Document(
            path=path,
            title=question[:300],
            text=text,
            language=q.language,
            kind="qa",
            date=when,
            content_hash=file_hash(text.encode()),
            origin="expert",
            organisations=(expert,),
        )
        self.kb.upsert([(doc, self.chunker.split(doc))])
        return path


class Learning:
    """Consent of the answering expert, a moderator's approval when required, and publishing."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        experts: ExpertDirectory,
        outbox: Outbox,
        notices: Notices,
        publisher: Publisher | None = None,
        approval: bool = False,
    ) -> None:
        self.sessions = sessions
        self.experts = experts
        self.outbox = outbox
        self.notices = notices
        self.publisher = publisher
        self.approval = approval

    def consent(self, question_id: int, e: Expert, yes: bool) -> Outcome:
        """The answering expert agrees (or not) to add the answer to the knowledge base."""
        lang = e.language
        with self.sessions.begin() as s:
            r = s.get(RoutingRecord, question_id)
            if r is None or r.answered_by != e.id:
                holder = self.experts.get(r.answered_by) if r and r.answered_by else None
                name = holder.name if holder else "?"
                return Outcome(t("not_claimer", lang, id=question_id, name=name), False)
            if r.kb_status:
                return Outcome(t("kb_done", lang), False)
            q = s.get(QuestionRecord, question_id)
            assert q is not None
            if not yes:
                r.kb_status = "declined"
                return Outcome(t("kb_declined", lang))
            if self.approval:
                r.kb_status = "pending"
                buttons = (
                    Button(KB_APPROVE, t("btn_approve", "nl"), str(q.id)),
                    Button(KB_REJECT, t("btn_reject", "nl"), str(q.id)),
                )
                text = t("kb_approval", "nl", id=q.id, question=q.text, name=e.name, answer=r.answer)
                self.notices.to_moderators(s, q, text, buttons=buttons)
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
                    .values(kb_status="published", kb_path=path, kb_published_at=self.notices.clock())
                )
            n += 1
        return n
