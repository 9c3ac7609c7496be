"""Dutch- and English-aware text handling: normalisation, tokens, stems, language, sentences."""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import Stemmer

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+(?=[\"'“‘(]*[A-Z0-9À-Ý€])|\n{2,}|\n(?=[-*•#])")

# Function words of both languages; kept short and explicit so it is easy to review.
STOP_NL = frozenset(
    """aan al alle alleen als altijd ander andere anders ben bij bijvoorbeeld binnen
    daar daarom dan dat de der deze die dit doch doen door dus echter een eens en er
    ge geen geweest haar had heb hebben heeft hem het hier hij hoe hun iemand iets ik
    in is ja je jij jou jouw kan kon kunnen laat maar me meer men met mij mijn moet
    na naar niet niets nog nou nu of om omdat ons onze ook op over reeds te tegen toch
    toen tot u uit uw van veel voor want waren was wat we wel werd wordt worden wie
    wij wil zal ze zelf zich zij zijn zo zonder zou zoals eigenlijk inmiddels echt
    ongeveer eraan erop ervan soort zon dats welk welke waar wanneer waarom hoeveel
    elkaar iedereen beetje gewoon even vaak mee ga gaan gaat kun kunt moeten mogen
    mag hun hen jullie dezelfde waarbij waarin waarmee daarbij daarin""".split()
)
STOP_EN = frozenset(
    """a about above after again all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during
    each few for from further had has have having he her here hers him his how i if
    in into is it its itself just me more most my no nor not now of off on once only
    or other our ours out over own same she should so some such than that the their
    them then there these they this those through to too under until up very was we
    were what when where which while who whom why will with would you your yours
    actually really roughly exactly many much whats hows dont theres thats need""".split()
)
STOPWORDS = STOP_NL | STOP_EN

_NL_MARKERS = frozenset(
    "de het een en van is dat niet voor met zijn op te er ook wat hoe welke wie waar "
    "wanneer ik je we kan bij naar door om als maar nog".split()
)
_EN_MARKERS = frozenset(
    "the and of is that not for with are on to it what how which who where when "
    "i you we can at by from as but this there does do".split()
)


_local = threading.local()


def _stemmer(language: str) -> Stemmer.Stemmer:
    """A Snowball stemmer per thread (PyStemmer objects must not be shared across threads)."""
    cache = getattr(_local, "stemmers", None)
    if cache is None:
        cache = _local.stemmers = {}
    st = cache.get(language)
    if st is None:
        st = cache[language] = Stemmer.Stemmer("dutch_porter" if language == "nl" else "english")
    return st


def normalise(text: str) -> str:
    """Lowercase and strip accents (creëren -> creeren) so spelling variants match."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Lowercased, accent-free word tokens (numbers kept, hyphenated words split too)."""
    out: list[str] = []
    for tok in _WORD.findall(normalise(text)):
        tok = tok.replace("'", "")
        if "-" in tok:
            parts = [p for p in tok.split("-") if p]
            out.extend(parts)
            out.append("".join(parts))  # welzijns-coach also matches welzijnscoach
        else:
            out.append(tok)
    return out


def content_words(text: str) -> list[str]:
    """Word tokens without function words and one-letter tokens."""
    return [w for w in words(text) if w not in STOPWORDS and len(w) > 1]


@lru_cache(maxsize=262_144)
def stem(word: str, language: str) -> str:
    """The Snowball stem of one word in the given language (cached: a vocabulary is finite, and
    every passage of an answer is stemmed again on the answer path)."""
    return _stemmer(language).stemWord(word)


def stems(text: str, language: str) -> list[str]:
    """Stems of the content words of a text, for indexing."""
    st = _stemmer(language)
    return st.stemWords(content_words(text))


def detect_language(text: str, default: str = "nl") -> str:
    """Guess 'nl' or 'en' from function-word counts; the default wins ties."""
    toks = words(text)
    nl = sum(t in _NL_MARKERS for t in toks)
    en = sum(t in _EN_MARKERS for t in toks)
    if en > nl:
        return "en"
    if nl > en:
        return "nl"
    return default


def split_sentences(text: str) -> list[str]:
    """Split a passage into sentences and list items, keeping their original wording."""
    parts = _SENTENCE_END.split(text)
    return [p.strip() for p in parts if p and p.strip()]


def has_letters(text: str) -> bool:
    """True when the text has at least one letter or digit (not only emoji or punctuation)."""
    return any(ch.isalnum() for ch in text)
