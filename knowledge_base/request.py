"""The request of a question: the clause that asks, and what the member says in passing.

"Ik ben beleidsmedewerker bij een kleine gemeente. Welk deel van de kosten ... ?" asks the second
sentence; the first is context. The request words are data (knowledge_base/data/request_cues.txt).
The expert matcher weighs the topics of the request over those of the context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from knowledge_base import text as T
from knowledge_base.word_forms import data_rows

# Clause boundaries: sentence ends, semicolons and colons, and a comma or "maar"/"but" before a new
# clause. A question mark stays with its clause.
_ANAPHORA = frozenset(
    "daar daarbij daarvoor daarmee daaraan daarin daarover hierbij hiervoor hiermee it them".split()
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\s*[;:]\s*")
_CLAUSE_END = re.compile(r"(?<=[.!?;:])\s+|\s*[;:]\s*|,\s+(?=\S)|\s+(?:maar|but|dus|so)\s+", re.IGNORECASE)


@lru_cache(maxsize=1)
def _request_cues() -> dict[str, frozenset[str]]:
    """The request words by kind (ask, want)."""
    out: dict[str, set[str]] = {"ask": set(), "want": set()}
    for kind, words in data_rows("request_cues.txt"):
        out[kind].update(words.split())
    return {k: frozenset(v) for k, v in out.items()}


@dataclass(frozen=True)
class Request:
    """What a question mainly asks (its request clauses) and what it says in passing (the context)."""

    main: str
    context: str


def split_request(question: str, whole_sentence: bool = False) -> Request:
    """The clause that asks (a question mark, else a request word; ties: the last), with the clause
    before it when it only points back ("hoe pakken we dat aan?") and any clause that says what the
    member wants; the rest is context. A question of one clause is all request.

    `whole_sentence` (expert matching): a clause that ends in a question mark brings the rest of its
    sentence, so "hoe begeleid je een schrijfgroep, zodat ze woorden vinden?" asks about the
    schrijfgroep, not only about the "zodat" clause."""
    clauses = [c.strip() for c in _CLAUSE_END.split(question.strip()) if c and c.strip()]
    if len(clauses) <= 1:
        return Request(question.strip(), "")
    cues = _request_cues()
    ask, want = cues["ask"], cues["want"]
    words = [T.words(c) for c in clauses]
    scores = [
        2 * c.rstrip().endswith("?") + any(w in ask for w in ws[:4])
        for c, ws in zip(clauses, words, strict=True)
    ]
    best = max(range(len(clauses)), key=lambda i: (scores[i], i))
    if scores[best] == 0:
        return Request(question.strip(), "")
    keep = {best}
    # A clause of few words of its own ("Wie weet raad?") or one that points back ("hoe pakken we
    # dat aan?") asks about the clause before it.
    start = best
    while start > 0 and (
        len(set(T.content_words(" ".join(clauses[start : best + 1]))) - ask - want) < 2
        or not _ANAPHORA.isdisjoint(words[start])
    ):
        start -= 1
        keep.add(start)
        if start < best - 1:
            break
    if whole_sentence and clauses[best].rstrip().endswith("?"):
        # The clauses of each sentence (a semicolon or a colon ends one too).
        part = [
            k
            for k, sentence in enumerate(_SENTENCE_END.split(question.strip()))
            for c in _CLAUSE_END.split(sentence)
            if c and c.strip()
        ]
        if len(part) == len(clauses):
            keep |= {i for i in range(best) if part[i] == part[best]}
    keep |= {i for i, ws in enumerate(words) if not want.isdisjoint(ws)}
    main = " ".join(c for i, c in enumerate(clauses) if i in keep)
    context = " ".join(c for i, c in enumerate(clauses) if i not in keep)
    return Request(main, context)
