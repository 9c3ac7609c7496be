"""How answers cite: sources from retrieved documents, faithful quotes, the credit of Q&A entries."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.messages import Source
from bot.texts import t

if TYPE_CHECKING:
    from knowledge_base.retrieval import DocHit

_QA_LABEL = re.compile(r"^\s*(Antwoord|Answer)\s*:\s*", re.I)
_QA_QUESTION = re.compile(r"^\s*(Vraag|Question)\s*:", re.I)


def source_of(d: DocHit) -> Source:
    """A retrieved document as a cited source."""
    return Source(d.doc.path, d.doc.title, d.doc.url, d.doc.kind, round(d.score, 4))


def quote(sentence: str, limit: int = 400) -> str:
    """One evidence sentence, trimmed faithfully (an ellipsis marks a cut)."""
    s = " ".join(sentence.replace("**", "").replace("__", "").split()).lstrip("-*•# ").strip()
    return s if len(s) <= limit else s[:limit].rsplit(" ", 1)[0] + " …"


def qa_credit(d: DocHit, lang: str) -> str | None:
    """The line crediting the expert behind a published Q&A entry (None for other documents)."""
    meta = d.doc.meta
    if d.doc.kind != "qa" or not meta.get("organisations"):
        return None
    return t("qa_credit", lang, name=meta["organisations"][0], date=meta.get("date") or "")


def qa_question(kind: str, sentence: str) -> bool:
    """The question line of a Q&A entry: matched on, but not worth quoting back."""
    return kind == "qa" and _QA_QUESTION.match(sentence) is not None


def qa_answer_text(kind: str, sentence: str) -> str:
    """A sentence without the "Antwoord:" label that starts the answer of a Q&A entry."""
    return _QA_LABEL.sub("", sentence) if kind == "qa" else sentence
