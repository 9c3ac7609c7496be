"""Extractive answers with an answerability check: quote what answers, route what does not."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache

from knowledge_base import text as T
from knowledge_base.query import Query
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
    "duration": re.compile(
        r"\b(\d+|een|twee|drie|vier|vijf|zes|acht|tien|twaalf|half|one|two|three|four|five|six"
        r"|eight|ten|twelve)[ -](jaar|jaren|maand|maanden|week|weken|dagen|uur|uren|years?"
        r"|months?|weeks?|days?|hours?|sessies|sessions|bijeenkomsten|lessen)\b"
        r"|\b\w+(jarig|weeks|maands)e?\b|-week\b|-month\b|-year\b"
        r"|\b(\d+|twintig|dertig|veertig|vijftig|zestig|negentig|twenty|thirty|forty|fifty|sixty"
        r"|ninety|anderhalf|een half|half an?)[ -](minuten|minutes?|min|kwartier|hour|uur)\b"
    ),
    "money": re.compile(r"€|£|\$|\beuro|\beur\b|\bpond\b|\bdollar|\bschaal \d|\bper uur\b"),
    "phone": re.compile(r"(\+31|\+44|\b0)[\d\s-]{8,}\d"),
    "email": re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
    "url": re.compile(r"https?://|www\.|\b[\w-]+\.(nl|com|org|eu|be|uk|net)\b"),
    "person": re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+ (van |de |der |den )*[A-Z][a-z]+"),
}


def _has_entity(q: Query, sentence: str) -> bool:
    """Does the sentence contain the kind of fact asked for (a name must be new to the question)?"""
    if not q.answer_type:
        return False
    pattern = _ENTITY[q.answer_type]
    if q.answer_type != "person":
        return bool(pattern.search(sentence))
    asked = set(T.words(q.text))
    return any(not set(T.words(m.group(0))) & asked for m in pattern.finditer(sentence))


@dataclass
class Evidence:
    """A quotable sentence with where it came from and how well it matches."""

    sentence: str
    doc: DocHit
    score: float
    coverage: float
    has_entity: bool
    focus: float = 0.0
    own: float = 0.0


@dataclass
class Decision:
    """The answerability verdict and the features behind it."""

    answerable: bool
    evidence: list[Evidence] = field(default_factory=list)
    ranked: list[DocHit] = field(default_factory=list)
    features: dict[str, float | str | bool] = field(default_factory=dict)


COMPOUND_HEAD_CREDIT = 0.6


def _fuzzy(q: str, p: str) -> float:
    """Credit for a passage stem that is not the query stem itself.

    Dutch compounds put the head last, so a query word that ends a longer passage word
    (dag -> donderdag, project -> kunstproject) is a good match; a long shared prefix
    catches derivations (organiseren -> organisatie).
    """
    if len(q) >= 3 and len(p) >= len(q) + 3 and p.endswith(q):
        return 0.8
    n = min(len(q), len(p))
    if n >= 6:
        k = 0
        while k < n and q[k] == p[k]:
            k += 1
        if k >= 6 and k >= 0.75 * n:
            return 0.6
    return 0.0


class _Vocab:
    """Passage stems sorted forwards and backwards, for fast prefix and suffix lookups."""

    def __init__(self, stems: set[str]) -> None:
        self.stems = stems
        self._fwd = sorted(stems)
        self._rev = sorted(w[::-1] for w in stems)

    @staticmethod
    def _range(items: list[str], pre: str) -> list[str]:
        lo = bisect_left(items, pre)
        hi = bisect_left(items, pre + "\uffff", lo)
        return items[lo:hi]

    def starting(self, pre: str) -> list[str]:
        """Stems that start with `pre`."""
        return self._range(self._fwd, pre)

    def ending(self, suf: str) -> list[str]:
        """Stems that end with `suf`."""
        return [w[::-1] for w in self._range(self._rev, suf[::-1])]


def _fuzzy_matches(a: str, vocab: _Vocab) -> list[tuple[str, float]]:
    """Passage stems matching query stem `a`: exact 1.0, compound head or derivation less."""
    stems = vocab.stems
    out = [(a, 1.0)] if a in stems else []
    if len(a) >= 3:
        out += [(p, 0.8) for p in vocab.ending(a) if len(p) >= len(a) + 3]
    if len(a) >= 4:
        # A compound that starts with the query word (koor -> koorzang, zorg -> zorgaanbod).
        for p in vocab.starting(a):
            if len(p) >= len(a) + 3:
                rest = p[len(a) :]
                if rest in stems or (rest[0] == "s" and rest[1:] in stems):
                    out.append((p, COMPOUND_HEAD_CREDIT))
    if len(a) >= 6:
        out += [(p, c) for p in vocab.starting(a[:6]) if p != a for c in (_fuzzy(a, p),) if c > 0]
    return out


class _Matcher:
    """Per-term credit for passage stems, computed once over the candidate vocabulary."""

    def __init__(self, q: Query, stems: set[str]) -> None:
        vocab = _Vocab(stems)
        self.q = q
        self.maps: list[dict[str, float]] = []
        self.multi: list[list[tuple[tuple[str, ...], float]]] = []
        for term in q.terms:
            m: dict[str, float] = {}
            multi: list[tuple[tuple[str, ...], float]] = []
            for factor, alts in ((1.0, term.alts), (0.7, term.expansion_alts)):
                for alt in alts:
                    if len(alt) > 1:
                        multi.append((alt, factor))
                        continue
                    a = alt[0]
                    for p, c in _fuzzy_matches(a, vocab):
                        if c * factor > m.get(p, 0.0):
                            m[p] = c * factor
            self.maps.append(m)
            self.multi.append(multi)
        self.total = q.total_weight

    def credits(self, stems: frozenset[str] | set[str]) -> list[float]:
        """Match credit (0..1) of every query term in a set of passage stems."""
        out = []
        for m, multi in zip(self.maps, self.multi, strict=True):
            c = max((m[s] for s in stems if s in m), default=0.0)
            for alt, factor in multi:
                if factor > c and all(s in stems for s in alt):
                    c = factor
            out.append(c)
        return out

    def coverage(self, credits: list[float]) -> float:
        """Weighted share of the question's terms that the credits cover."""
        if self.total <= 0:
            return 0.0
        return sum(t.weight * c for t, c in zip(self.q.terms, credits, strict=True)) / self.total


@lru_cache(maxsize=4096)
def _parse_passage(text: str, language: str) -> tuple[tuple[str, ...], tuple[frozenset[str], ...]]:
    """Sentences of a passage and their stems (cached: popular passages recur)."""
    sentences = tuple(s for s in T.split_sentences(text) if T.has_letters(s))
    return sentences, tuple(_stems(s, language) for s in sentences)


@lru_cache(maxsize=4096)
def _stems(text: str, language: str) -> frozenset[str]:
    """Stems of a passage in its own language plus the other one (mixed-language text)."""
    cw = T.content_words(text)
    other = "en" if language == "nl" else "nl"
    return frozenset({T.stem(w, language) for w in cw} | {T.stem(w, other) for w in cw})


class Answerer:
    """Picks evidence sentences and decides whether the knowledge base answers the question."""

    def __init__(
        self,
        min_coverage: float = 0.35,
        top_docs: int = 8,
        max_quotes: int = 3,
        semantic_threshold: float = 0.76,
    ) -> None:
        self.min_coverage = min_coverage
        # A paraphrase shares few words with its passage: when lexical coverage is weak, a
        # close embedding match (cosine, model-specific) still counts as evidence.
        self.semantic_threshold = semantic_threshold
        self.semantic_floor = 0.15
        # A sentence is read with its neighbours (and its heading) when judging coverage.
        self.window = 1
        # A typed question (when, how many, who...) needs a sentence holding that kind of
        # fact which covers the question about as well as the best passage does.
        self.type_floor = 0.45
        self.type_ratio = 0.7
        self.max_quotes = max_quotes
        self.top_docs = top_docs
        self.evidence_weight = 1.0
        self.doc_weight = 0.5

    def decide(self, q: Query, ranked: list[DocHit]) -> Decision:
        """Collect evidence from the top documents and judge answerability."""
        if not q.terms or not ranked:
            return Decision(False, features={"reason": "no_terms" if not q.terms else "no_hits"})
        parsed = []
        vocab: set[str] = set()
        for dh in ranked[: self.top_docs]:
            lang = dh.doc.language
            header = _stems(dh.doc.title, lang)
            vocab |= header
            for ch in dh.chunks:
                sentences, sent_stems = _parse_passage(ch.text, lang)
                head = header | _stems(ch.heading, lang)
                vocab |= head.union(*sent_stems)
                parsed.append((dh, ch, head, sentences, sent_stems))
        matcher = _Matcher(q, vocab)
        # The focus is the most specific thing asked about; an answer must mention it.
        known = [i for i, t in enumerate(q.terms) if t.known] or list(range(len(q.terms)))
        focus = max(known, key=lambda i: q.terms[i].weight)
        evidence: list[Evidence] = []
        best_chunk_cov = 0.0
        best_chunk_focus = 0.0
        doc_credits: dict[str, list[float]] = {}
        for dh, ch, head, sentences, sent_stems in parsed:
            head_credits = matcher.credits(head)
            sent_credits = [matcher.credits(st) for st in sent_stems]
            chunk_credits = (
                [
                    max(h, *col) if col else h
                    for h, col in zip(head_credits, zip(*sent_credits, strict=True), strict=True)
                ]
                if sent_credits
                else head_credits
            )
            cov_chunk = matcher.coverage(chunk_credits)
            prev = doc_credits.get(dh.doc.path)
            doc_credits[dh.doc.path] = (
                [max(a, b) for a, b in zip(prev, chunk_credits, strict=True)] if prev else list(chunk_credits)
            )
            if cov_chunk > best_chunk_cov:
                best_chunk_cov, best_chunk_focus = cov_chunk, chunk_credits[focus]
            for i, sent in enumerate(sentences):
                win = [head_credits] + sent_credits[max(0, i - self.window) : i + self.window + 1]
                credits = [max(col) for col in zip(*win, strict=True)]
                cov = matcher.coverage(credits)
                own = matcher.coverage(sent_credits[i])
                ent = _has_entity(q, sent)
                score = cov + 0.6 * own + (0.3 if ent else 0.0) + ch.score
                if len(sent) < 25:
                    score -= 0.3
                evidence.append(Evidence(sent, dh, score, cov, ent, credits[focus], own))
        doc_cov = {p: matcher.coverage(c) for p, c in doc_credits.items()}
        ranked = self._rerank(ranked, evidence, doc_cov)
        evidence.sort(key=lambda e: -e.score)
        feats: dict[str, float | str | bool] = {
            "chunk_coverage": round(best_chunk_cov, 3),
            "focus": q.terms[focus].word,
            "focus_credit": round(best_chunk_focus, 2),
            "answer_type": q.answer_type or "",
            "unknown_terms": sum(1 for t in q.terms if not t.known),
        }
        type_ok = True
        if q.answer_type:
            floor = max(self.type_floor, self.type_ratio * best_chunk_cov)
            typed = [e for e in evidence if e.has_entity and e.coverage >= floor]
            type_ok = bool(typed)
            feats["type_ok"] = type_ok
            if typed:
                top = typed[0]
                evidence.remove(top)
                evidence.insert(0, top)
        sims = [c.dense_sim for d in ranked for c in d.chunks if c.dense_sim is not None]
        top_sim = max(sims, default=0.0)
        feats["dense_sim"] = round(top_sim, 3)
        covered = best_chunk_cov >= self.min_coverage or (
            best_chunk_cov >= self.semantic_floor and top_sim >= self.semantic_threshold
        )
        answerable = covered and type_ok
        feats["reason"] = "ok" if answerable else ("type" if not type_ok else "coverage")
        return Decision(answerable, self._pick(evidence, self.max_quotes), ranked, feats)

    def _rerank(
        self, ranked: list[DocHit], evidence: list[Evidence], doc_cov: dict[str, float]
    ) -> list[DocHit]:
        """Order the top documents by retrieval score plus how well they answer."""
        head = ranked[: self.top_docs]
        if not head:
            return ranked
        best: dict[str, float] = {}
        for e in evidence:
            key = e.doc.doc.path
            val = e.coverage + 0.5 * e.own + (0.3 if e.has_entity and e.focus >= 0.4 else 0.0)
            best[key] = max(best.get(key, 0.0), val)
        top = head[0].score or 1.0
        for dh in head:
            dh.score = (
                dh.score / top
                + self.evidence_weight * best.get(dh.doc.path, 0.0)
                + self.doc_weight * doc_cov.get(dh.doc.path, 0.0)
            )
        head.sort(key=lambda d: -d.score)
        return head + ranked[self.top_docs :]

    @staticmethod
    def _pick(evidence: list[Evidence], n: int = 3) -> list[Evidence]:
        """The best sentences, at most two per document, without near-duplicates."""
        out: list[Evidence] = []
        per_doc: dict[str, int] = {}
        if not evidence:
            return out
        first = evidence[0]
        floor = first.score * 0.75
        for e in evidence:
            if len(out) >= n or e.score < floor:
                break
            # Further sentences must answer about as well as the first, not just be on topic.
            if out and e.coverage < max(0.5, 0.8 * first.coverage):
                continue
            key = e.doc.doc.path
            if per_doc.get(key, 0) >= 2 or any(e.sentence == o.sentence for o in out):
                continue
            per_doc[key] = per_doc.get(key, 0) + 1
            out.append(e)
        return out
