"""Which language to answer in: Dutch by default, English for people who write or use English."""

from __future__ import annotations

from datetime import date

from bot.texts import t
from knowledge_base import text as T

LANGUAGES = ("nl", "en")
DEFAULT = "nl"


def language_of(code: str | None) -> str:
    """The bot's language for a platform's interface language code ("en-GB" -> "en", else Dutch)."""
    return "en" if (code or "").strip().lower().startswith("en") else DEFAULT


def supported(lang: str | None) -> str:
    """A language the bot speaks: `lang` itself when it is one, else the default."""
    return lang if lang in LANGUAGES else DEFAULT


def reply_language(text: str = "", interface: str | None = None) -> str:
    """The language to answer in: the text's language, else the member's interface language."""
    if text and T.has_letters(text) and len(T.words(text)) >= 3:
        return T.detect_language(text)
    return language_of(interface)


def day_label(day: date, lang: str, year: bool = False) -> str:
    """'di 8 december' ('Tue 8 December'), with the year when asked."""
    weekday, month = (
        t("weekdays_short", lang).split()[day.weekday()],
        t("months", lang).split()[day.month - 1],
    )
    label = f"{weekday} {day.day} {month}"
    return f"{label} {day.year}" if year else label
