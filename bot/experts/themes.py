"""Themes and words: which of an expert's tags a question names, through synonyms, cues and compounds.

The themes, their kind and their cue words are data (bot/experts/data/themes.tsv); the glossary and
the stemmers come from the knowledge base, so a question is read the same way by both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge_base import glossary
from knowledge_base import text as T

if TYPE_CHECKING:
    from bot.experts.directory import Expert

THEMES_FILE = Path(__file__).parent / "data" / "themes.tsv"
SITUATIONS_FILE = Path(__file__).parent / "data" / "theme_situations.tsv"
_MIN_PART = 4  # the shortest head or tail a compound is split into


@dataclass(frozen=True)
class Theme:
    """A standard theme: its kind (help, group, art, approach) and the words that signal it."""

    name: str
    kind: str
    cues: str


@lru_cache(maxsize=1)
def themes() -> dict[str, Theme]:
    """The standard themes by name."""
    out: dict[str, Theme] = {}
    for line in THEMES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, kind, cues = line.split("\t")
            out[name] = Theme(name, kind, cues)
    return out


@lru_cache(maxsize=1)
def situations() -> dict[str, tuple[str, ...]]:
    """How members describe each standard theme in their own words, by theme name."""
    out: dict[str, list[str]] = {}
    for line in SITUATIONS_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, text = line.split("\t")
            out.setdefault(name, []).append(text)
    return {k: tuple(v) for k, v in out.items()}


def theme_text(tag: str) -> str:
    """What a tag means, to embed: a standard theme with its cue words, another tag as it is."""
    theme = themes().get(T.normalise(tag).strip())
    return f"{theme.name}: {theme.cues}" if theme else tag


def theme_kind(tag: str) -> str:
    """The kind of a tag: that of its standard theme, else "topic"."""
    theme = themes().get(T.normalise(tag).strip())
    return theme.kind if theme else "topic"


@lru_cache(maxsize=1)
def _known_words() -> frozenset[str]:
    words = set(T.words(glossary.GROUPS_TEXT))
    for theme in themes().values():
        words.update(T.words(theme.cues))
    return frozenset(w for w in words if len(w) >= _MIN_PART)


@lru_cache(maxsize=20000)
def parts(word: str) -> tuple[str, ...]:
    """The word, plus its known head and tail if it is a compound of a known word."""
    known = _known_words()
    if word in known or len(word) < 2 * _MIN_PART:
        return (word,)
    for i in range(len(word) - _MIN_PART, _MIN_PART - 1, -1):  # longest known head first
        head, tail = word[:i], word[i:]
        if head in known:
            tails = (tail, tail[1:]) if tail.startswith("s") else (tail,)  # welzijns|organisatie
            return (word, head, *(t for t in tails if len(t) >= _MIN_PART))
    for i in range(_MIN_PART, len(word) - _MIN_PART + 1):  # longest known tail first
        head, tail = word[:i], word[i:]
        if tail in known:
            return (word, head.removesuffix("s") if len(head) > _MIN_PART else head, tail)
    return (word,)


@lru_cache(maxsize=8192)
def term_stems(word: str, widen: bool = True) -> frozenset[str]:
    """Dutch and English stems of one content word and its compound parts, widened with the
    domain glossary unless `widen` is off."""
    out: set[str] = set()
    for p in parts(word):
        for v in (p, *glossary.expansions(p)) if widen else (p,):
            for part in v.replace("-", " ").split():
                out.add(T.stem(part, "nl"))
                out.add(T.stem(part, "en"))
    return frozenset(out)


@lru_cache(maxsize=4096)
def stems(text: str, widen: bool = True) -> frozenset[str]:
    """The stems of all content words of a text (see term_stems)."""
    return frozenset(s for w in T.content_words(text) for s in term_stems(w, widen))


@lru_cache(maxsize=4096)
def _word_forms(word: str) -> frozenset[str]:
    """Stems under which one word of a tag or region is recognised in a question."""
    return frozenset(T.stem(v, lang) for v in (word, *glossary.expansions(word)) for lang in ("nl", "en"))


@lru_cache(maxsize=4096)
def _phrase_words(phrase: str) -> tuple[str, tuple[str, ...]]:
    p = T.normalise(phrase).strip()
    return p, tuple(T.content_words(p) or T.words(p))


def phrase_in(phrase: str, text_norm: str, text_stems: frozenset[str]) -> bool:
    """A tag or region (one or more words) occurs in a text, literally or by stem."""
    p, words = _phrase_words(phrase)
    if not p:
        return False
    if f" {p} " in f" {text_norm} ":
        return True
    return bool(words) and all(not _word_forms(w).isdisjoint(text_stems) for w in words)


@lru_cache(maxsize=256)
def _cue_stems(tag: str) -> frozenset[str]:
    theme = themes().get(T.normalise(tag).strip())
    return stems(theme.cues, widen=False) if theme else frozenset()


def tag_named(tag: str, text_norm: str, text_stems: frozenset[str]) -> bool:
    """The tag itself (or a glossary equivalent) is in the text."""
    return phrase_in(tag, text_norm, text_stems)


def tag_cued(tag: str, text_stems: frozenset[str]) -> bool:
    """One of the tag's cue words is in the text. Cue words are not widened with the glossary:
    two hops ('werkt' -> effect <- outcomes) would let common words pull in a theme."""
    return not _cue_stems(tag).isdisjoint(text_stems)


def tag_names(expert: Expert) -> list[str]:
    """An expert's tags as theme names (normalised)."""
    return [T.normalise(x).strip() for x in expert.tags]


def described(expert: Expert) -> str:
    """An expert's profile text with the meaning of its standard themes spelled out (to embed)."""
    extra = [themes()[t].cues for t in (T.normalise(x).strip() for x in expert.tags) if t in themes()]
    return " ".join([expert.profile_text(), *extra])


def passages(expert: Expert) -> list[str]:
    """An expert's profile as short passages to embed one by one: each sentence of the expertise
    and each theme with its cue words. A member's paraphrase is near one of them more than near
    the whole profile (measured: CV top-2 0.918 -> 0.948)."""
    sentences = [s.strip() for s in re.split(r"(?<=[.!?;])\s+", expert.expertise) if len(s.strip()) > 3]
    return sentences + [theme_text(t) for t in expert.tags]


def member_words(expert: Expert) -> list[str]:
    """How members describe the expert's standard themes in their own words (to embed)."""
    return [s for t in tag_names(expert) for s in situations().get(t, ())]
