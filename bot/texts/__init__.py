"""Every sentence the bot says to people, per feature, in Dutch (the default) and English.

Each feature keeps its texts in its own module here; `t()` looks a key up in all of them. A key
may belong to one module only (a test checks that every key has both languages).
"""

from __future__ import annotations

from bot.texts.announcements import ANNOUNCEMENTS
from bot.texts.answering import ANSWERING
from bot.texts.community import COMMUNITY
from bot.texts.experts import EXPERTS
from bot.texts.highlights import HIGHLIGHTS
from bot.texts.insight import INSIGHT
from bot.texts.people import PEOPLE
from bot.texts.platforms import PLATFORMS
from bot.texts.privacy import PRIVACY

FEATURE_TEXTS: dict[str, dict[str, dict[str, str]]] = {
    "announcements": ANNOUNCEMENTS,
    "answering": ANSWERING,
    "community": COMMUNITY,
    "experts": EXPERTS,
    "highlights": HIGHLIGHTS,
    "insight": INSIGHT,
    "people": PEOPLE,
    "platforms": PLATFORMS,
    "privacy": PRIVACY,
}


def _merge(tables: dict[str, dict[str, dict[str, str]]]) -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for feature, table in tables.items():
        for key, entry in table.items():
            if key in merged:
                raise ValueError(f"text {key!r} of {feature} is defined twice")
            merged[key] = entry
    return merged


TEXTS: dict[str, dict[str, str]] = _merge(FEATURE_TEXTS)


def t(key: str, lang: str = "nl", **kwargs: object) -> str:
    """The text for a key in a language (falls back to Dutch)."""
    entry = TEXTS[key]
    return entry.get(lang, entry["nl"]).format(**kwargs)


class Refusal(ValueError):
    """Input or an action the bot refuses; `key` names the text that explains why (every language)."""

    def __init__(self, key: str, **kwargs: object) -> None:
        super().__init__(key)
        self.key = key
        self.kwargs = kwargs

    def say(self, lang: str = "nl") -> str:
        """The explanation in a language."""
        return t(self.key, lang, **self.kwargs)
