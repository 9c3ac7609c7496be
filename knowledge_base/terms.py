"""Matching a question's weighted terms against passage stems: exact, compound parts, derivations."""

from __future__ import annotations

from bisect import bisect_left
from functools import lru_cache

from knowledge_base import text as T
from knowledge_base.query import Query

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


class Matcher:
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
        self.weights = [t.weight for t in q.terms]

    def credits(self, stems: frozenset[str] | set[str]) -> list[float]:
        """Match credit (0..1) of every query term in a set of passage stems."""
        out = []
        for m, multi in zip(self.maps, self.multi, strict=True):
            # The stems both in the passage and in the term's map (a C-level set intersection:
            # this runs for every sentence of every candidate passage).
            c = max(map(m.__getitem__, m.keys() & stems), default=0.0)
            for alt, factor in multi:
                if factor > c and all(s in stems for s in alt):
                    c = factor
            out.append(c)
        return out

    def coverage(self, credits: list[float]) -> float:
        """Weighted share of the question's terms that the credits cover."""
        if self.total <= 0:
            return 0.0
        return sum(w * c for w, c in zip(self.weights, credits, strict=True)) / self.total


@lru_cache(maxsize=4096)
def parse_passage(text: str, language: str) -> tuple[tuple[str, ...], tuple[frozenset[str], ...]]:
    """Sentences of a passage and their stems (cached: popular passages recur)."""
    sentences = tuple(s for s in T.split_sentences(text) if T.has_letters(s))
    return sentences, tuple(passage_stems(s, language) for s in sentences)


@lru_cache(maxsize=4096)
def passage_stems(text: str, language: str) -> frozenset[str]:
    """Stems of a passage in its own language plus the other one (mixed-language text)."""
    cw = T.content_words(text)
    other = "en" if language == "nl" else "nl"
    return frozenset({T.stem(w, language) for w in cw} | {T.stem(w, other) for w in cw})
