"""Facts of each answer type in a sentence: a date, a number, a name, a place next to what is asked.

The patterns say what a fact of a type looks like ("maandag", "80%", "Jan Smit", a place of the
gazetteer); `fact_near` asks for it within a few words of the asked attribute ("dirigent Jan Smit").
"""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge_base import text as T
from knowledge_base.analysis import find_places

# Facts of each answer type, as they appear in a sentence.
ENTITY: dict[str, re.Pattern[str]] = {
    "date": re.compile(
        r"\b(maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|monday|tuesday|wednesday"
        r"|thursday|friday|saturday|sunday|januari|februari|maart|april|mei|juni|juli|augustus"
        r"|september|oktober|november|december|january|february|march|june|july|august|october"
        r"|(19|20)\d\d|\d{1,2}[-/.]\d{1,2}([-/.]\d{2,4})?|elke (eerste|tweede|derde|laatste)"
        r"|wekelijks|maandelijks|dagelijks|weekly|monthly|daily|sinds|since|ochtend|middag|avond|morgens"
        r"|middags|ochtends|avonds|morning|afternoon|evening|\d{1,2}[.:]\d\d uur|\d{1,2} uur)\b",
        re.I,
    ),
    "number": re.compile(
        r"\d|%|\b(twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|dertien|veertien|vijftien"
        r"|zestien|zeventien|achttien|negentien|twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig"
        r"|negentig|honderd|honderden|duizend|duizenden|miljoen|tientallen|helft|kwart|derde|two|three"
        r"|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen"
        r"|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|hundreds"
        r"|thousand|thousands|million|half|quarter|dozen|dozens)\b",
        re.I,
    ),
    "duration": re.compile(
        r"\b(\d+|een|twee|drie|vier|vijf|zes|acht|tien|twaalf|half|one|two|three|four|five|six"
        r"|eight|ten|twelve|meer dan \d+)[ -](jaar|jaren|maand|maanden|week|weken|dagen|uur|uren|years?"
        r"|months?|weeks?|days?|hours?|sessies|sessions|bijeenkomsten|lessen)\b"
        r"|\b\w+(jarig|weeks|maands)e?\b|-week\b|-month\b|-year\b|\bsinds\b|\bsince\b"
        r"|\b(\d+|twintig|dertig|veertig|vijftig|zestig|negentig|twenty|thirty|forty|fifty|sixty"
        r"|ninety|anderhalf|een half|half an?)[ -](minuten|minutes?|min|kwartier|hour|uur)\b",
        re.I,
    ),
    "money": re.compile(
        r"€|£|\$|\beuro|\beur\b|\bpond\b|\bdollar|\bschaal \d|\bper uur\b|\bgratis\b|\bfree\b", re.I
    ),
    "percent": re.compile(
        r"%|\b(procent|percent|per cent|helft|half|kwart|derde|quarter|third|meerderheid|majority)\b", re.I
    ),
    "frequency": re.compile(
        r"\b(wekelijks|tweewekelijks|maandelijks|dagelijks|jaarlijks|elke|iedere|per (dag|week|maand|jaar)|"
        r"keer|maal|weekly|fortnightly|monthly|daily|yearly|annually|every|each (week|month|day|year)|"
        r"times|once|twice)\b",
        re.I,
    ),
    "time": re.compile(
        r"\b\d{1,2}[.:]\d\d\b|\b\d{1,2} uur\b|\bo'clock\b|\b\d{1,2} ?(am|pm|a\.m\.|p\.m\.)", re.I
    ),
    "phone": re.compile(r"(\+31|\+44|\b0)[\d\s-]{8,}\d"),
    "email": re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
    "url": re.compile(r"https?://|www\.|\b[\w-]+\.(nl|com|org|eu|be|uk|net)\b"),
    # A name (capitalised words, an acronym) or a word for an organisation (any case).
    "person_org": re.compile(
        r"\b[A-ZÀ-Ý][a-zà-ÿ]+(-[A-ZÀ-Ý][a-zà-ÿ]+)? (van |de |der |den )*[A-ZÀ-Ý][a-zà-ÿ]+|\b[A-Z]{2,}\b"
        r"|\b(?i:stichting|fonds|gemeente|gemeenten|ministerie|rijk|universiteit|hogeschool|organisatie"
        r"|vereniging|council|university|foundation|trust|ministry|nhs|zorgverzekeraars?|welzijnsorganisatie)\b"
    ),
}
# The question types whose answer is a fact of that type.
TYPE_OF = {k: k for k in (*ENTITY, "place")}


@lru_cache(maxsize=256)
def by_first(phrases: tuple[tuple[str, ...], ...]) -> dict[str, tuple[tuple[str, ...], ...]]:
    out: dict[str, list[tuple[str, ...]]] = {}
    for p in phrases:
        out.setdefault(p[0], []).append(p)
    return {k: tuple(v) for k, v in out.items()}


def spots(words: tuple[str, ...], phrases: tuple[tuple[str, ...], ...]) -> list[int]:
    """Where any of the phrases starts in the word sequence."""
    index = by_first(phrases)
    out = []
    for i, w in enumerate(words):
        for p in index.get(w, ()):
            if words[i : i + len(p)] == p:
                out.append(i)
                break
    return out


@lru_cache(maxsize=65536)
def _tokens(sentence: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Whitespace tokens of a sentence and each one normalised (one entry per token, as in the text)."""
    tokens = tuple(sentence.split())
    return tokens, tuple(_token_words(tok) for tok in tokens)


@lru_cache(maxsize=131_072)
def _token_words(token: str) -> str:
    """One whitespace token normalised (cached: tokens recur across passages)."""
    return " ".join(T.words(token))


NEAR = 6  # words: a fact this close to the attribute word is about it ("dirigent Jan Smit")


def fact_near(kind: str | None, sentence: str, phrases: tuple[tuple[str, ...], ...], asked: set[str]) -> bool:
    """A fact of the asked type within a few words of where the sentence names the asked attribute."""
    if not kind or not phrases:
        return False
    tokens, norm = _tokens(sentence)
    if by_first(phrases).keys().isdisjoint(norm):
        return False
    for i in spots(norm, phrases):
        near = " ".join(tokens[max(0, i - NEAR) : i + NEAR + 1])
        if typed_fact(kind, near, asked):
            return True
    return False


def typed_fact(kind: str | None, sentence: str, asked: set[str]) -> bool:
    """Does the sentence hold a fact of this answer type (a name must be new to the question)?"""
    if not kind:
        return False
    if kind != "person_org":
        return _has_typed(kind, sentence)
    pattern = ENTITY.get(kind)
    if pattern is None:
        return False
    return any(not set(T.words(m.group(0))) <= asked for m in pattern.finditer(sentence))


@lru_cache(maxsize=65536)
def _has_typed(kind: str, sentence: str) -> bool:
    """A fact of a type that does not depend on the question (a place, a number, a date)."""
    if kind == "place":
        return bool(find_places(T.words(sentence)))
    pattern = ENTITY.get(kind)
    return bool(pattern and pattern.search(sentence))
