"""The one core call every adapter uses: a question in, a sourced answer or a route decision out."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from bot.answering.citations import qa_answer_text, qa_credit, qa_question, quote, source_of
from bot.answering.smalltalk import small_talk
from bot.messages import Source, clean_text
from bot.texts import t
from knowledge_base import text as T

if TYPE_CHECKING:  # the knowledge base itself is handed in by the wiring (app.runtime)
    from bot.answering.llm import Composer
    from knowledge_base.answerer import Answerer, Decision
    from knowledge_base.retrieval import Retriever


@dataclass(frozen=True)
class Answer:
    """The result of asking: text for the person plus structured data for adapters."""

    question: str
    answer: str
    routed: bool
    language: str
    sources: tuple[Source, ...] = ()
    candidates: tuple[Source, ...] = ()
    status: str = "answered"  # answered | routed | help | too_long
    features: tuple[tuple[str, object], ...] = ()
    outcome: str = ""  # answer | not_sure | route ("" = from `routed`)

    def __post_init__(self) -> None:
        if not self.outcome:
            object.__setattr__(self, "outcome", "route" if self.routed else "answer")

    def to_json(self) -> dict[str, object]:
        """The `verbinder ask --json` shape."""
        return {
            "question": self.question,
            "answer": self.answer,
            "routed": self.routed,
            "outcome": self.outcome,
            "language": self.language,
            "sources": [asdict(s) for s in self.sources],
        }


class Assistant:
    """Answers questions from the knowledge base, or says plainly that an expert is needed."""

    def __init__(
        self,
        retriever: Retriever,
        answerer: Answerer,
        max_chars: int = 4000,
        composer: Composer | None = None,
    ) -> None:
        self.retriever = retriever
        self.answerer = answerer
        self.max_chars = max_chars
        self.composer = composer  # optional LLM: writes answers, and judges the borderline questions

    def ask(self, question: str, mode: str = "hybrid", language: str | None = None) -> Answer:
        """Answer one question; `mode` selects hybrid, lexical or dense retrieval."""
        q = clean_text(question).strip()  # also what the Answer reports as the question
        lang = language or T.detect_language(q)
        if not q:
            return Answer(q, t("help", lang), False, lang, status="help")
        if len(q) > self.max_chars:
            text = t("too_long", lang, n=len(q), limit=self.max_chars)
            return Answer(q, text, False, lang, status="too_long")
        chat = small_talk(q)
        if chat is not None:
            kind, chat_lang = chat
            lang = language or chat_lang
            return Answer(q, t(f"smalltalk_{kind}", lang), False, lang, status="smalltalk")
        if not T.has_letters(q):
            return Answer(q, t("not_found", lang), True, lang, status="routed")
        query, ranked = self.retriever.search(q, mode=mode, k_docs=10)
        lang = language or query.language
        decision = self.answerer.decide(query, ranked)
        candidates = tuple(source_of(d) for d in (decision.ranked or ranked))
        feats = tuple(decision.features.items())
        if decision.outcome == "route":
            return Answer(
                question, t("not_found", lang), True, lang, (), candidates, "routed", feats, "route"
            )
        # An answer, or a borderline question: with an LLM configured, the model reads the passages
        # and answers only what they hold (a borderline one it can rescue, an answer it can refuse).
        composed = self.composer.compose(q, lang, decision) if self.composer else None
        if composed is not None and not composed.found:
            feats += (("llm", "not_found"),)
            if decision.outcome == "answer":
                return Answer(
                    question, t("not_found", lang), True, lang, (), candidates, "routed", feats, "route"
                )
        elif composed is not None:
            feats += (("llm", "answered"),)
            sources = tuple(source_of(d) for d in composed.docs)
            return Answer(
                question, composed.text, False, lang, sources, candidates, "answered", feats, "answer"
            )
        if decision.outcome == "not_sure":
            tips = candidates[:3]  # the most related sources, as reading tips
            return Answer(
                question, t("not_sure", lang), True, lang, tips, candidates, "routed", feats, "not_sure"
            )
        text, sources = self._compose(decision, lang)
        return Answer(q, text, False, lang, sources, candidates, "answered", feats, "answer")

    @staticmethod
    def _compose(decision: Decision, lang: str) -> tuple[str, tuple[Source, ...]]:
        """Quote the evidence with numbered citations, one number per document."""
        numbers: dict[str, int] = {}
        sources: list[Source] = []
        lines = [t("intro", lang)]
        credited: set[str] = set()
        evidence = [ev for ev in decision.evidence if not qa_question(ev.doc.doc.kind, ev.sentence)]
        for ev in evidence or decision.evidence:
            path = ev.doc.doc.path
            if path not in numbers:
                numbers[path] = len(numbers) + 1
                sources.append(source_of(ev.doc))
            said = quote(qa_answer_text(ev.doc.doc.kind, ev.sentence))
            lines.append(f"“{said}” [{numbers[path]}]")
            credit = qa_credit(ev.doc, lang)
            if credit and path not in credited:
                credited.add(path)
                lines.append(credit)
        return "\n".join(lines), tuple(sources)
