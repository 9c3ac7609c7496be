"""Word forms: whether a word is an inflected, diminutive, prefixed or compound form of common words;
and the readers of the analysis' word lists (knowledge_base/data), which this lowest module holds.

The question analysis reads a word outside these forms, and outside the common words, as a likely
name (knowledge_base/analysis.py). The lists are data files in knowledge_base/data (inflections.txt,
word_forms.tsv).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from knowledge_base import text as T

DATA = Path(__file__).parent / "data"  # every word list of the question analysis


def data_rows(name: str) -> list[list[str]]:
    """The tab-separated rows of a data file, without blank and comment lines."""
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


def word_list(name: str) -> frozenset[str]:
    """The words of a one-word-per-line data file, without blank and comment lines."""
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def word_forms() -> dict[str, tuple[str, ...]]:
    """The kinds of word part (diminutive, prefix, focus_modifier) and their forms (word_forms.tsv)."""
    return {kind: tuple(parts.split()) for kind, parts in data_rows("word_forms.tsv")}


@lru_cache(maxsize=1)
def inflections() -> frozenset[str]:
    """Inflected forms of common words that are not common themselves ("combineerde", "creatiefs")."""
    return word_list("inflections.txt")


def ordinary_form(word: str, common: frozenset[str]) -> bool:
    """An inflected, diminutive or prefixed form of a common word ("combineerde", "cursusje",
    "instromen"): no name."""
    if word in inflections():
        return True
    forms = word_forms()
    for end in forms.get("diminutive", ()):
        if word.endswith(end) and word[: -len(end)] in common:
            return True
    return any(
        word.startswith(p) and len(word) - len(p) >= 4 and word[len(p) :] in common
        for p in forms.get("prefix", ())
    )


def hyphen_joins(question: str, common: frozenset[str]) -> set[str]:
    """Joined forms of hyphenated words whose parts are ordinary ("co-wrote" gives "cowrote")."""
    out = set()
    for token in re.findall(r"\w+(?:-\w+)+", question):
        parts = plain_words(token)
        if parts and all(len(p) <= 2 or p in common for p in parts):
            out.add("".join(parts))
    return out


def plain_words(text: str) -> list[str]:
    """Words without the joined form of hyphenated words (T.words adds "nieuwwest" for Nieuw-West)."""
    return T.words(text.replace("-", " "))


_LONGEST_COMPOUND = 60  # letters: a longer "word" (a pasted string, "oooo…") is no compound


def made_of(word: str, others: set[str], common: frozenset[str]) -> bool:
    """A compound of two common words (kunstproject) or of words of the question (kunst-op-recept).
    Parts are at least three letters; a head may end in a linking s or e. Solved from the end of the
    word backwards (not by recursion, which one very long word drove past Python's stack)."""
    if len(word) > _LONGEST_COMPOUND:
        return False

    forms = inflections()

    def known(part: str) -> bool:
        return part in common or part in others or part in forms

    n = len(word)
    made = [False] * (n + 1)  # made[j]: word[j:] is itself such a compound
    for j in range(n - 6, -1, -1):
        for k in range(j + 3, n - 2):
            head, tail_ok = word[j:k], known(word[k:]) or made[k]
            if tail_ok and (known(head) or (head.endswith(("s", "e")) and known(head[:-1]))):
                made[j] = True
                break
    return made[0]
