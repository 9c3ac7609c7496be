"""An anonymised version of a member's question, for a public Q&A entry.

The rule is simple on purpose, so anyone can check what it does:
1. e-mail addresses, web links, @handles and phone numbers are removed;
2. every number goes (ages, house numbers, dates, amounts: they can point to one person);
3. the asker's own names go, each part of them too;
4. places of the gazetteer (knowledge_base/data/places.tsv) go, in any case;
5. a capitalised word that does not start a sentence is read as a name and goes (all-capital
   abbreviations such as GGZ or AOW stay).
What went is shown as "[…]". The rest stays word for word: it is not a rewrite, and someone who
knows the story may still recognise it; this is why the asker is asked before it is published.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from knowledge_base.analysis import places
from knowledge_base.text import normalise

GONE = "[…]"
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_URL = re.compile(r"\b(?:https?://|www\.)\S+?(?=[.,;:!?)]*(?:\s|$))", re.IGNORECASE)
_HANDLE = re.compile(r"(?<!\w)@\w+")
_PHONE = re.compile(r"(?<!\w)\+?\d[\d\s-]{7,}\d(?!\w)")
_NUMBER = re.compile(r"\d+(?:[.,:/-]\d+)*")
_WORD = re.compile(r"[^\W\d_][\w'-]*")
_SENTENCE_END = re.compile(r"[.!?:]\s*$")
MAX_PLACE_WORDS = 4


def _name_parts(names: Iterable[str]) -> set[str]:
    return {w.lower() for n in names for w in _WORD.findall(n or "") if len(w) >= 3}


def _drop_places(text: str) -> str:
    gaz = places()
    words = list(_WORD.finditer(text))
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        for n in range(min(MAX_PLACE_WORDS, len(words) - i), 0, -1):
            group = words[i : i + n]
            if normalise(" ".join(w.group(0) for w in group)) in gaz:
                spans.append((group[0].start(), group[-1].end()))
                i += n
                break
        else:
            i += 1
    for start, end in reversed(spans):
        text = text[:start] + GONE + text[end:]
    return text


def _drop_names(text: str, own: set[str]) -> str:
    out: list[str] = []
    last = 0
    for m in _WORD.finditer(text):
        word = m.group(0)
        before = text[: m.start()]
        starts = not before.strip() or bool(_SENTENCE_END.search(before))
        capital = word[0].isupper() and not word.split("-")[0].isupper()  # GGZ-hulp is no name
        if word.lower() in own or (capital and not starts):
            out.append(text[last : m.start()] + GONE)
        else:
            out.append(text[last : m.end()])
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def _tidy(text: str) -> str:
    text = re.sub(rf"(?:{re.escape(GONE)}[\s,]*)+(?={re.escape(GONE)})", "", text)
    return re.sub(r"\s+", " ", text).strip()


def anonymise(text: str, names: Iterable[str] = ()) -> str:
    """The text without what could identify its writer (see the module's rule)."""
    for pattern in (_EMAIL, _URL, _HANDLE, _PHONE, _NUMBER):
        text = pattern.sub(GONE, text)
    text = _drop_places(text)
    return _tidy(_drop_names(text, _name_parts(names)))


def without_names(text: str, names: Iterable[str]) -> str:
    """The text without the given people's names (an expert's answer keeps its places and numbers)."""
    own = _name_parts(names)
    if not own:
        return text
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(w) for w in sorted(own, key=len, reverse=True)) + r")(?!\w)", re.I
    )
    return pattern.sub(GONE, text)
