"""Question analysis beyond terms: what kind of answer is asked for, which attribute, which constraints.

All word lists are data files in knowledge_base/data (question_types.tsv, attributes.tsv,
places.tsv, word_places.txt, common_words.txt, name_heads.tsv; word forms: knowledge_base/word_forms.py), so
they can be read, reviewed and translated without the code. The expert matcher uses the same analyser
(places; the request of a question is knowledge_base/request.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from knowledge_base import text as T
from knowledge_base.query import LIGHT_WORDS
from knowledge_base.word_forms import (
    DATA,
    data_rows,
    hyphen_joins,
    made_of,
    ordinary_form,
    plain_words,
    word_forms,
    word_list,
)

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
_CAPITALISED = re.compile(
    r"(?<![.!?:]\s)(?<!^)\b[A-Z][\w'’-]+(?:\s+(?:van|de|der|den|het|in|op|on|of)?\s*[A-Z][\w'’-]+)*"
)


# A phrase the member put in quotes ('cultuur verbindt'); an apostrophe inside a word (zzp'er,
# foundation's) opens nothing: the quote must follow a space and close before a space or a stop.
_QUOTED = re.compile(r"(?:(?<=\s)|^)['‘“\"]([^'‘’“”\"]{3,60})['’”\"](?=[\s.,;:!?)]|$)")
# Two or more capitalised words in a row ("Age Friendly Cultural Cities", "Age UK Lambeth"): a title,
# whose words ask for nothing ("age" there is no age limit).
_TITLE_RUN = re.compile(r"\b[A-Z][\w'’]*(?:[ \t]+(?:(?:of|van|de|the|for|voor|&)[ \t]+)?[A-Z][\w'’]*)+")
_NAME_WORDS = 3  # at most this many words of a name after or before its head
_NAME_ARTICLES = frozenset({"het", "de", "der", "den", "the", "of"})  # "stichting vier HET leven"


@dataclass(frozen=True)
class Place:
    """A place name from the gazetteer, with where it lies."""

    name: str  # normalised, may be several words
    country: str
    region: str  # province or region, as Dutch members write it
    municipality: str


@dataclass(frozen=True)
class Constraint:
    """Something the question pins down that an answer must match: a year, a place, a name."""

    kind: str  # year | place | name
    words: tuple[str, ...]  # normalised words, as in the question
    region: str = ""


@dataclass(frozen=True)
class Attribute:
    """What the question asks about its subject (an address, a price, a deadline ...)."""

    name: str
    answer_type: str | None
    phrases: tuple[tuple[str, ...], ...]  # normalised words of each phrase that asks for it


@dataclass(frozen=True)
class Analysis:
    """The parts of a question that decide whether a passage answers it."""

    qtype: str
    attributes: tuple[Attribute, ...]
    constraints: tuple[Constraint, ...]
    rare: tuple[str, ...]  # content words that are not common Dutch or English (names, jargon)
    focus: tuple[str, ...] = ()  # what a wh-word asks for: "welk GEBOUW", "how many PEOPLE"


# A wh-word followed by what it asks for; the focus is the first content word after it.
_WH = frozenset("welk welke which what wat hoeveel many much".split())


@lru_cache(maxsize=1)
def _qtypes() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((kind, re.compile(pattern)) for kind, pattern in data_rows("question_types.tsv"))


@lru_cache(maxsize=1)
def attributes() -> tuple[Attribute, ...]:
    """Every attribute of the lexicon."""
    out = []
    for name, answer_type, phrases in data_rows("attributes.tsv"):
        words = tuple(tuple(T.words(p)) for p in phrases.split("|") if T.words(p))
        out.append(Attribute(name, None if answer_type == "-" else answer_type, words))
    return tuple(out)


@lru_cache(maxsize=1)
def places() -> dict[str, Place]:
    """The gazetteer by normalised name (the first row of a name wins: Dutch places come first)."""
    out: dict[str, Place] = {}
    rows = sorted(data_rows("places.tsv"), key=lambda r: r[1] != "NL")
    for name, country, region, municipality in (r + [""] * (4 - len(r)) for r in rows):
        out.setdefault(name, Place(name, country, region, municipality))
    return out


@lru_cache(maxsize=1)
def name_heads() -> dict[str, frozenset[str]]:
    """The heads that introduce a name, by where the name stands ("after" or "before" the head)."""
    return {pos: frozenset(heads.split("|")) for pos, heads in data_rows("name_heads.tsv")}


def named_things(question: str) -> list[tuple[str, ...]]:
    """Names the member wrote without capitals: quoted phrases, and the words after "stichting",
    "regeling", "programma" … or before "foundation", "instituut" … (up to a function word)."""
    quoted = [
        tuple(w for w in plain_words(m.group(1)) if w not in T.STOPWORDS) for m in _QUOTED.finditer(question)
    ]
    # One ordinary word in quotes is emphasis ("kan hij iets 'fout' zeggen?"), not a title.
    out = [ws for ws in quoted if not (len(ws) == 1 and _ordinary(ws[0]))]
    words = plain_words(question)
    heads = name_heads()
    for i, w in enumerate(words):
        before = (
            _run(list(reversed(words[max(0, i - _NAME_WORDS) : i]))) if w in heads.get("before", ()) else []
        )
        # A head of both kinds names what stands before it when that looks like a name ("the Lang
        # Leve Kunst programme grew …": several words, or an uncommon one), else what follows
        # ("the new programme kunst impuls").
        named_before = len(before) > 1 or any(b not in common_words() for b in before)
        if (
            w in heads.get("after", ())
            and not (before and named_before)
            and not (i and words[i - 1] in heads.get("not_after", ()))
        ):
            name = _run(words[i + 1 : i + 1 + _NAME_WORDS])
            after = words[i + 1 + len(name)] if i + 1 + len(name) < len(words) else ""
            # One ordinary word after the head, not followed by an article, is the clause's verb or
            # adverb ("a scheme running in …", "het fonds terecht met …"); "stichting vier het
            # leven" goes on, so it stays a name.
            if not (len(name) == 1 and _ordinary(name[0]) and after not in _NAME_ARTICLES):
                out.append(tuple(name))
        if before and named_before:
            out.append(tuple(reversed(before)))
    return [ws for ws in dict.fromkeys(out) if ws]


def _ordinary(word: str) -> bool:
    """A common word, or an inflected, diminutive or prefixed form of one."""
    common = common_words()
    return word in common or ordinary_form(word, common)


def _run(words: list[str]) -> list[str]:
    """The leading words that are not function words (a name ends where "van", "voor", "the" begin,
    or at a word that only phrases the question)."""
    out: list[str] = []
    for w in words:
        if w in T.STOPWORDS or w.isdigit() or w in name_heads().get("after", ()):
            break
        if out and w in LIGHT_WORDS:  # "stichting oud & creatief PRECIES": the name has ended
            break
        out.append(w)
    return out


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Words common in Dutch or English (wordfreq Zipf >= 3)."""
    return frozenset((DATA / "common_words.txt").read_text(encoding="utf-8").split())


def question_type(question: str) -> str:
    """The kind of answer asked for: the first row of question_types.tsv that matches, else "other".

    When the whole question matches no row, its asking sentences are read on their own: after
    context ("Mijn vader heeft parkinson. Kan hij nog instromen?") a wh-word or a verb that opens a
    question does not open the text, and the rows that look for it at the start would miss it."""
    kind = _first_type(question)
    sentences = [s for s in _SENTENCE.split(question.strip()) if s.strip()]
    if kind != "other" or len(sentences) < 2:
        return kind
    asking = [s for s in sentences if s.rstrip().endswith("?")] or sentences[-1:]
    return next((k for k in map(_first_type, asking) if k != "other"), "other")


def _first_type(text: str) -> str:
    """The first row of question_types.tsv that matches the text, else "other"."""
    q = T.normalise(text).strip()
    for kind, pattern in _qtypes():
        if pattern.search(q):
            return kind
    return "other"


def _find(seq: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(seq[i : i + n]) == phrase for i in range(len(seq) - n + 1))


def find_places(words: list[str]) -> list[Place]:
    """Places named in a word sequence, longest names first and without overlaps."""
    gaz = places()
    found: list[Place] = []
    used: set[int] = set()
    for n in (3, 2, 1):
        for i in range(len(words) - n + 1):
            span = set(range(i, i + n))
            name = " ".join(words[i : i + n])
            if span & used or name not in gaz:
                continue
            found.append(gaz[name])
            used |= span
    return found


@lru_cache(maxsize=1)
def word_places() -> frozenset[str]:
    """Place names that are ordinary words first (leek, huizen, buren; bench/build_language_data.py)."""
    return word_list("word_places.txt")


def as_place(place: Place, question: str) -> bool:
    """A place whose name is an ordinary word first ("leek", "huizen", "buren") counts only where the
    member wrote it with a capital, not at the start of a sentence: "hulp bij buren", "De lier is …"
    name no town. Every other place counts however it is written ("kunst op recept rotterdam")."""
    if place.name not in word_places():
        return True
    pattern = r"\b" + r"[\s-]+".join(re.escape(w) for w in place.name.split()) + r"\b"
    for m in re.finditer(pattern, question, re.IGNORECASE):
        sentence_start = not question[: m.start()].strip() or question[: m.start()].rstrip()[-1] in ".!?:"
        if m.group(0)[:1].isupper() and not sentence_start:
            return True
    return False


def analyse_question(question: str) -> Analysis:
    """Type, asked attributes and constraints of a question."""
    words = T.words(question)
    content = T.content_words(question)
    # Attributes are read outside titles and quoted phrases: "Age Friendly Cultural Cities" asks no
    # age, "wat is een 'responsieve evaluatie'?" no evaluation.
    asking = T.words(_QUOTED.sub(" ", _without_titles(question)))
    present = set(asking)  # a phrase whose first word is absent cannot match: skip the scan
    qtype = question_type(question)
    # A role ("de voorzitter", "the director") asks for a name only in a who-question: "wanneer
    # begint de nieuwe directeur?" asks for a date, so the role gives no answer type there. Nor does
    # any attribute in a yes/no question: "doen ze nog iets voor hun deelnemers?" asks no count.
    asked = tuple(
        a
        if a.answer_type is None
        or (qtype != "yesno" and (a.answer_type != "person_org" or qtype == "person_org"))
        else replace(a, answer_type=None)
        for a in attributes()
        if any(p and p[0] in present and _find(asking, p) for p in a.phrases)
    )
    constraints: list[Constraint] = [Constraint("year", (y,)) for y in dict.fromkeys(_YEAR.findall(question))]
    named: set[str] = set()
    for place in find_places(words):
        if not as_place(place, question):
            continue
        constraints.append(Constraint("place", tuple(place.name.split()), place.region))
        named |= set(place.name.split())
    common = common_words()
    for m in _CAPITALISED.finditer(question):  # capitalised mid-sentence: a name the member typed
        # A word in capitals stays even when it is a common word: "Stichting DOEN", "DE KOM".
        caps = {T.normalise(t).strip() for t in re.findall(r"\w+", m.group(0)) if len(t) > 1 and t.isupper()}
        ws = tuple(  # (a letter alone, the "S" of "(S)Pionieren", names nothing)
            w
            for w in plain_words(m.group(0))
            if len(w) > 1 and (w not in T.STOPWORDS or w in caps) and w not in named
        )
        if ws and (len(ws) > 1 or ws[0] not in common):
            constraints.append(Constraint("name", ws))
            named |= set(ws)
    for ws in named_things(question):  # names typed in lower case, or quoted
        ws = tuple(w for w in ws if w not in named and len(w) > 1)
        if ws:
            constraints.append(Constraint("name", ws))
            named |= set(ws)
    seen = set(words)
    joins = hyphen_joins(question, common)
    rare = tuple(
        w
        for w in dict.fromkeys(content)
        if len(w) >= 4
        and not w.isdigit()
        and w not in common
        and w not in joins
        and not made_of(w, seen, common)
        and not ordinary_form(w, common)
    )
    constraints += [Constraint("name", (w,)) for w in rare if w not in named]
    return Analysis(qtype, asked, tuple(constraints), rare, _focus(words))


def _without_titles(question: str) -> str:
    """The question without runs of capitalised words that follow its first word. A writer who
    capitalises function words or everything ("Wat Is De Prijs?", "WHAT IS THE PHONE NUMBER?")
    marks no titles that way, and a run that opens the question ("Prijs Museumkaart?") is kept."""
    letters = [c for c in question if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) > 0.6 * len(letters):
        return question
    if any(w[:1].isupper() and w.lower() in T.STOPWORDS for w in re.findall(r"\w+", question)[1:]):
        return question
    return _TITLE_RUN.sub(lambda m: m.group(0) if m.start() == 0 else " ", question)


def _focus(words: list[str]) -> tuple[str, ...]:
    """The content words a wh-word points at (one per wh-word within three words; past a modifier
    to its noun: "de maximale SUBSIDIE")."""
    out: list[str] = []
    modifiers = set(word_forms().get("focus_modifier", ()))
    for i, w in enumerate(words):
        if w not in _WH:
            continue
        after = [
            (j, x)
            for j, x in enumerate(words[i + 1 : i + 6], i + 1)
            if x not in T.STOPWORDS and not x.isdigit()
        ]
        if not after or after[0][0] > i + 3:
            continue
        x = after[0][1]
        rest = [y for _, y in after[1:]]
        while x in modifiers and rest:  # "de maximale totale SUBSIDIE"
            x = rest.pop(0)
        if x not in out:
            out.append(x)
    return tuple(out)
