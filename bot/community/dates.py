"""Dates and times as members write them ("15 december", "volgende week dinsdag", "19.30 uur")."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from knowledge_base.text import normalise

TZ = ZoneInfo("Europe/Amsterdam")

MONTHS = {
    **dict.fromkeys(("januari", "jan", "january"), 1),
    **dict.fromkeys(("februari", "feb", "february"), 2),
    **dict.fromkeys(("maart", "mrt", "march", "mar"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    **dict.fromkeys(("mei", "may"), 5),
    **dict.fromkeys(("juni", "jun", "june"), 6),
    **dict.fromkeys(("juli", "jul", "july"), 7),
    **dict.fromkeys(("augustus", "aug", "august"), 8),
    **dict.fromkeys(("september", "sep", "sept"), 9),
    **dict.fromkeys(("oktober", "okt", "october", "oct"), 10),
    **dict.fromkeys(("november", "nov"), 11),
    **dict.fromkeys(("december", "dec"), 12),
}
WEEKDAYS = {
    **dict.fromkeys(("maandag", "ma", "monday", "mon"), 0),
    **dict.fromkeys(("dinsdag", "di", "tuesday", "tue"), 1),
    **dict.fromkeys(("woensdag", "wo", "wednesday", "wed"), 2),
    **dict.fromkeys(("donderdag", "do", "thursday", "thu"), 3),
    **dict.fromkeys(("vrijdag", "vr", "friday", "fri"), 4),
    **dict.fromkeys(("zaterdag", "za", "saturday", "sat"), 5),
    **dict.fromkeys(("zondag", "zo", "sunday", "sun"), 6),
}
RELATIVE = {"vandaag": 0, "today": 0, "morgen": 1, "tomorrow": 1, "overmorgen": 2}
_NEXT = ("volgende", "komende", "aanstaande", "next", "coming")
_FILLER = frozenset(("op", "de", "het", "on", "the", "of", "van", "a.s.", "as"))

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2,4}))?$")
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:e|ste|de)?\s+([a-z]+)\.?(?:\s+(\d{4}))?$")
_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?(?:\s+(\d{4}))?$")
_IN = re.compile(r"^(?:over|in)\s+(\d{1,3})\s+(dag|dagen|day|days|week|weken|weeks)$")
_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(?:uur|u|h|am|pm)?$")


def today() -> date:
    """Today's date in the Netherlands."""
    return datetime.now(TZ).date()


def _year_for(month: int, day: int, ref: date) -> date | None:
    """The next occurrence of day-month on or after ref (a date without a year lies ahead)."""
    for year in (ref.year, ref.year + 1):
        try:
            d = date(year, month, day)
        except ValueError:
            return None
        if d >= ref:
            return d
    return None


def _full_year(text: str) -> int:
    y = int(text)
    return 2000 + y if y < 100 else y


def parse_date(text: str, ref: date | None = None) -> date | None:
    """A date from Dutch or English text, relative to `ref` (today); None when it is no date."""
    ref = ref or today()
    s = normalise(text).strip().rstrip(".").replace(",", " ")
    s = re.sub(r"\s+", " ", s)
    if not s or len(s) > 60:
        return None
    first, _, rest = s.partition(" ")
    if first in WEEKDAYS and rest and any(ch.isdigit() for ch in rest):
        s = rest  # "zaterdag 12 december": the date says it
    try:
        if m := _ISO.match(s):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMY.match(s):
            day, month = int(m[1]), int(m[2])
            return date(_full_year(m[3]), month, day) if m[3] else _year_for(month, day, ref)
        if (m := _DAY_MONTH.match(s)) and m[2] in MONTHS:
            day, month = int(m[1]), MONTHS[m[2]]
            return date(int(m[3]), month, day) if m[3] else _year_for(month, day, ref)
        if (m := _MONTH_DAY.match(s)) and m[1] in MONTHS:
            day, month = int(m[2]), MONTHS[m[1]]
            return date(int(m[3]), month, day) if m[3] else _year_for(month, day, ref)
    except ValueError:
        return None  # 31-02, month 13
    if s in RELATIVE:
        return ref + timedelta(days=RELATIVE[s])
    if m := _IN.match(s):
        n = int(m[1])
        return ref + timedelta(days=n * (7 if m[2].startswith("we") else 1))
    return _weekday(s.split(), ref)


def _weekday(words: list[str], ref: date) -> date | None:
    """'dinsdag', 'volgende dinsdag', 'volgende week dinsdag', 'next tuesday'."""
    words = [w for w in words if w not in _FILLER]
    next_week = False
    if len(words) >= 2 and words[0] in _NEXT and words[1] in ("week", "weeks"):
        next_week, words = True, words[2:]
    elif words and words[0] in _NEXT:
        words = words[1:]
    if len(words) != 1 or words[0] not in WEEKDAYS:
        return None
    wd = WEEKDAYS[words[0]]
    if next_week:  # that weekday in the (ISO) week after this one
        monday = ref - timedelta(days=ref.weekday()) + timedelta(days=7)
        return monday + timedelta(days=wd)
    ahead = (wd - ref.weekday()) % 7 or 7  # "dinsdag" said on a Tuesday: next week's
    return ref + timedelta(days=ahead)


def parse_time(text: str) -> str | None:
    """'19:30', '19.30 uur', '7 uur', '20h' as HH:MM; None when it is no time of day."""
    s = normalise(text).strip().replace(" ", "") if len(text) < 20 else ""
    pm = s.endswith("pm")
    m = _TIME.match(s)
    if not m:
        return None
    hour, minute = int(m[1]), int(m[2] or 0)
    if pm and hour < 12:
        hour += 12
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"
