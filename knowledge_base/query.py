"""Query analysis: language, weighted term groups (stems, translations, compound parts), intent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from knowledge_base import glossary
from knowledge_base import text as T

# Words that phrase a question but carry no topic.
QUESTION_NOISE = frozenset(
    """graag weten vertellen zoek zoeken vraag vragen iemand tell know anyone please hi hallo
    hoi hey thanks bedankt dank wishful thinking precies exactly nou toch eens ergens
    something anything things dingen ding zitten zit zoals vinden vind klopt klopte""".split()
)

# Common verbs and vague words: they phrase the question rather than name its topic.
LIGHT_WORDS = frozenset(
    """willen wil wilt brengen breng pakken pak aanpakken doen doet maken maakt komen komt
    krijgen krijg geven geeft helpen helpt werken werkt zien ziet kijken staan staat liggen
    houden zetten lopen leveren levert leverde gebeuren gebeurt hebben heeft kunnen moeten
    mogelijk precies meestal vaak nodig volgende vorige huidige nieuwe grote kleine goede
    want make get give help work works see look find use used does doing done going
    need needs happen happens run runs set actually roughly mostly usually often
    volgens juist vooral eigenlijk naartoe bestaat bestaan bestond geldt gelden gold sinds achter
    according mainly especially exist exists existed since""".split()
)

# Words that only signal the kind of answer; the answer-type check handles them.
CUE_WORDS = frozenset(
    """dag datum maand deadline sluitingsdatum tijdstip date day time telefoonnummer telefoon
    nummer phone number mailadres emailadres email mail website webadres url cijfers aantal
    percentage""".split()
)

KIND_WORDS = {
    "project": (
        "project",
        "projecten",
        "projects",
        "initiatief",
        "initiatieven",
        "voorbeeld",
        "voorbeelden",
        "example",
        "examples",
        "praktijkvoorbeeld",
    ),
    "tip": ("tip", "tips", "advies", "adviezen", "advice", "aanpak", "stappenplan", "how-to"),
}


@dataclass(frozen=True)
class Term:
    """A query word with alternatives; an alternative matches when all its stems occur."""

    word: str
    alts: tuple[tuple[str, ...], ...]
    weight: float
    known: bool
    expansion_alts: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Query:
    """The analysed question."""

    text: str
    language: str
    terms: tuple[Term, ...]
    kind: str | None

    @property
    def total_weight(self) -> float:
        """Sum of term weights."""
        return sum(t.weight for t in self.terms)


def _stem_alts(word: str) -> set[tuple[str, ...]]:
    """Stems of a (possibly multi-word) term in both languages."""
    out: set[tuple[str, ...]] = set()
    parts = [p for p in T.words(word) if p not in T.STOPWORDS]
    if not parts:
        return out
    for lang in ("nl", "en"):
        out.add(tuple(T.stem(p, lang) for p in parts))
    return out


def _split_compound(word: str, df: Callable[[str], int]) -> tuple[str, str] | None:
    """Split a Dutch compound into two known words (kunstproject -> kunst + project)."""
    if len(word) < 8:
        return None
    best: tuple[int, tuple[str, str]] | None = None
    for i in range(3, len(word) - 3):
        left, right = word[:i], word[i:]
        for lf in (
            left,
            left[:-1] if left.endswith(("s", "e")) else None,
            left[:-2] if left.endswith("en") else None,
        ):
            if not lf or len(lf) < 3:
                continue
            dl, dr = df(T.stem(lf, "nl")), df(T.stem(right, "nl"))
            if dl > 0 and dr > 0 and (best is None or min(dl, dr) > best[0]):
                best = (min(dl, dr), (lf, right))
    return best[1] if best else None


def analyse(
    question: str, idf: Callable[[str], float], df: Callable[[str], int], default_lang: str = "nl"
) -> Query:
    """Turn a question into weighted term groups for retrieval and answerability checks."""
    language = T.detect_language(question, default=default_lang)
    seen: set[str] = set()
    terms: list[Term] = []
    content = T.content_words(question)
    # Two-word phrases with an equivalent ("weinig geld" ~ "laag inkomen", "armoede") lend
    # it to both of their words.
    phrase_syns: dict[str, tuple[str, ...]] = {}
    for a, b in zip(content, content[1:], strict=False):
        syns = glossary.expansions(f"{a} {b}")
        if syns:
            phrase_syns[a] = phrase_syns.get(a, ()) + syns
            phrase_syns[b] = phrase_syns.get(b, ()) + syns
    for word in content:
        if word in QUESTION_NOISE or word in CUE_WORDS or word in seen:
            continue
        seen.add(word)
        alts = _stem_alts(word)
        if not alts:
            continue
        known_alts = {a for a in alts if all(df(s) > 0 for s in a)}
        exp: set[tuple[str, ...]] = set()
        syns = glossary.expansions(word) + glossary.translations(word) + phrase_syns.get(word, ())
        for syn in syns:
            exp |= {a for a in _stem_alts(syn) if all(df(s) > 0 for s in a)}
        if not known_alts:
            split = _split_compound(word, df)
            if split:
                exp.add(tuple(T.stem(p, "nl") for p in split))
        exp -= alts
        weights = [max(idf(s) for s in a) for a in (known_alts or alts)]
        # An unknown word weighs like a rare one: the knowledge base may simply lack it.
        weight = max(weights) if known_alts else idf("\x00unseen")
        if word in LIGHT_WORDS:
            weight *= 0.3
        terms.append(Term(word, tuple(sorted(alts)), weight, bool(known_alts), tuple(sorted(exp))))
    kind = None
    words = set(T.words(question))
    for k, vocab in KIND_WORDS.items():
        if words & set(vocab):
            kind = k
            break
    return Query(question, language, tuple(terms), kind)
