"""Extractive answers with an answerability check: quote what answers, route what does not."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge_base import text as T
from knowledge_base.query import Query, Term
from knowledge_base.retrieval import DocHit

# What a passage must contain when the question asks for a specific kind of fact.
_ENTITY: dict[str, re.Pattern[str]] = {
    "date": re.compile(
        r"\b(maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|monday|tuesday|wednesday"
        r"|thursday|friday|saturday|sunday|januari|februari|maart|april|mei|juni|juli|augustus"
        r"|september|oktober|november|december|january|february|march|june|july|august|october"
        r"|(19|20)\d\d|\d{1,2}[-/.]\d{1,2}([-/.]\d{2,4})?|elke (eerste|tweede|derde|laatste)"
        r"|wekelijks|maandelijks|dagelijks|weekly|monthly|daily)\b"
    ),
    "number": re.compile(
        r"\d|%|\b(twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|twintig|dertig"
        r"|veertig|vijftig|honderd|duizend|miljoen|helft|kwart|derde|two|three|four|five|six"
        r"|seven|eight|nine|ten|twelve|twenty|hundred|thousand|million|half|quarter|dozen)\b"
    ),
    "money": re.compile(r"€|£|\$|\beuro|\beur\b|\bpond\b|\bdollar|\bschaal \d|\bper uur\b"),
    "phone": re.compile(r"(\+31|\+44|\b0)[\d\s-]{8,}\d"),
    "email": re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
    "url": re.compile(r"https?://|www\.|\b[\w-]+\.(nl|com|org|eu|be|uk|net)\b"),
    "person": re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+ (van |de |der |den )*[A-Z][a-z]+"),
}


@dataclass
class Evidence:
    """A quotable sentence with where it came from and how well it matches."""

    sentence: str
    doc: DocHit
    score: float
    coverage: float
    has_entity: bool


@dataclass
class Decision:
    """The answerability verdict and the features behind it."""

    answerable: bool
    evidence: list[Evidence] = field(default_factory=list)
    features: dict[str, float | str | bool] = field(default_factory=dict)


def _matched(term: Term, stems: set[str]) -> float:
    """1.0 for a direct match, 0.7 via a translation or synonym, else 0."""
    if any(all(s in stems for s in alt) for alt in term.alts):
        return 1.0
    if any(all(s in stems for s in alt) for alt in term.expansion_alts):
        return 0.7
    return 0.0


def _stems(text: str, language: str) -> set[str]:
    """Stems of a passage in its own language plus the other one (mixed-language text)."""
    cw = T.content_words(text)
    other = "en" if language == "nl" else "nl"
    return {T.stem(w, language) for w in cw} | {T.stem(w, other) for w in cw}


def _coverage(q: Query, stems: set[str]) -> float:
    total = q.total_weight
    if total <= 0:
        return 0.0
    return sum(t.weight * _matched(t, stems) for t in q.terms) / total


class Answerer:
    """Picks evidence sentences and decides whether the knowledge base answers the question."""

    def __init__(self, min_coverage: float = 0.5, top_docs: int = 4) -> None:
        self.min_coverage = min_coverage
        self.top_docs = top_docs

    def decide(self, q: Query, ranked: list[DocHit]) -> Decision:
        """Collect evidence from the top documents and judge answerability."""
        if not q.terms or not ranked:
            return Decision(False, features={"reason": "no_terms" if not q.terms else "no_hits"})
        evidence: list[Evidence] = []
        best_chunk_cov = 0.0
        for dh in ranked[: self.top_docs]:
            lang = dh.doc.language
            header = _stems(dh.doc.title, lang)
            for ch in dh.chunks:
                sentences = [s for s in T.split_sentences(ch.text) if T.has_letters(s)]
                sent_stems = [_stems(s, lang) for s in sentences]
                chunk_all = set().union(header, _stems(ch.heading, lang), *sent_stems)
                best_chunk_cov = max(best_chunk_cov, _coverage(q, chunk_all))
                for i, sent in enumerate(sentences):
                    window = set().union(header, *sent_stems[max(0, i - 1) : i + 2])
                    own = _coverage(q, sent_stems[i])
                    cov = _coverage(q, window)
                    ent = bool(q.answer_type and _ENTITY[q.answer_type].search(sent))
                    score = cov + 0.6 * own + (0.3 if ent else 0.0) + 0.05 * ch.score * 20
                    if len(sent) < 25:
                        score -= 0.3
                    evidence.append(Evidence(sent, dh, score, cov, ent))
        evidence.sort(key=lambda e: -e.score)
        best = evidence[0] if evidence else None
        feats: dict[str, float | str | bool] = {
            "chunk_coverage": round(best_chunk_cov, 3),
            "sentence_coverage": round(best.coverage, 3) if best else 0.0,
            "answer_type": q.answer_type or "",
            "unknown_terms": sum(1 for t in q.terms if not t.known),
        }
        type_ok = True
        if q.answer_type:
            typed = [e for e in evidence[:12] if e.has_entity and e.coverage >= 0.5]
            type_ok = bool(typed)
            feats["type_ok"] = type_ok
            if typed:
                evidence.sort(key=lambda e: -(e.score + (1.0 if e in typed[:1] else 0.0)))
        answerable = best is not None and best_chunk_cov >= self.min_coverage and type_ok
        feats["reason"] = "ok" if answerable else ("type" if not type_ok else "coverage")
        return Decision(answerable, self._pick(evidence), feats)

    @staticmethod
    def _pick(evidence: list[Evidence], n: int = 3) -> list[Evidence]:
        """The best sentences, at most two per document, without near-duplicates."""
        out: list[Evidence] = []
        per_doc: dict[str, int] = {}
        if not evidence:
            return out
        floor = evidence[0].score * 0.7
        for e in evidence:
            if len(out) >= n or e.score < floor:
                break
            key = e.doc.doc.path
            if per_doc.get(key, 0) >= 2 or any(e.sentence == o.sentence for o in out):
                continue
            per_doc[key] = per_doc.get(key, 0) + 1
            out.append(e)
        return out
