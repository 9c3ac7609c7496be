"""Greetings, thanks and emoji: a short friendly reply, never a search and never an expert."""

from __future__ import annotations

import re

from knowledge_base import text as T

# Every word of such a message is one of these (normalised, accents removed). Keep to words that
# cannot carry a question of their own.
_GREETING_NL = (
    "hoi hallo hai hee hey hoihoi goedemorgen goedemiddag goedenavond morgen middag avond dag daag "
    "allemaal iedereen beste"
)
_GREETING_EN = "hi hello hey hiya morning afternoon evening good everyone all there folks"
_THANKS_NL = (
    "dank dankje dankjewel dankuwel bedankt je jullie u wel zeer heel erg veel hartelijk voor de hulp "
    "top super fijn mooi prima oke ok helder duidelijk geweldig thx merci"
)
_THANKS_EN = (
    "thanks thank thx ty you so very much for the help great cheers ok okay perfect nice cool awesome"
)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
MAX_WORDS = 8

GREETING = frozenset((_GREETING_NL + " " + _GREETING_EN).split())
THANKS = frozenset((_THANKS_NL + " " + _THANKS_EN).split())
_DUTCH = frozenset((_GREETING_NL + " " + _THANKS_NL).split())
ENGLISH = frozenset((_GREETING_EN + " " + _THANKS_EN).split()) - _DUTCH


def _words(text: str) -> list[str]:
    return _WORD.findall(T.normalise(text))


def small_talk(text: str) -> tuple[str, str] | None:
    """("greeting" | "thanks", language) when the message is only small talk (or only emoji and
    punctuation), else None. A question mark with real words is never small talk."""
    words = _words(text)
    if not words:
        return ("greeting", "nl") if text.strip() else None  # emoji, "👍", "?!"
    if len(words) > MAX_WORDS or not set(words) <= GREETING | THANKS:
        return None
    kind = "thanks" if set(words) & (THANKS - GREETING) else "greeting"
    language = "en" if set(words) & ENGLISH and not set(words) - ENGLISH - {"ok", "super"} else "nl"
    return kind, language
