"""What is coming up: 'wat is er binnenkort?', 'welke evenementen zijn er in Gelderland?', /agenda."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.commands import CommandSpec
from bot.community.desk import say
from bot.community.events import Event, EventBook
from bot.language import day_label as calendar_day
from bot.language import reply_language
from bot.messages import Incoming, Reply
from bot.texts import t
from knowledge_base import text as T
from knowledge_base.analysis import analyse_question, find_places

COMMANDS = (CommandSpec("agenda", aliases=("events", "upcoming"), slack=True, menu=True, rank=83),)

_EVENT_WORDS = (
    r"evenement(en)?|events?|bijeenkomst(en)?|meetups?|meet-ups?|agenda|activiteit(en)?|happenings?|"
    r"netwerkbijeenkomst(en)?|symposi(um|a)|congress?(en)?|conferenties?|workshops?|lezing(en)?|"
    r"voorstelling(en)?|concert(en)?|optreden(s)?|exposities?|tentoonstelling(en)?|talks?|sessions?"
)
_EVENT = re.compile(rf"\b({_EVENT_WORDS})\b")
_EVENT_WORD = re.compile(rf"^({_EVENT_WORDS}|iets|anything|something)$")
_ASKS = re.compile(
    r"\b(welke|wat|wanneer|zijn er|is er|staat er|staan er|which|what|when|are there|is there|any)\b"
)
_HOW = re.compile(r"\b(hoe|how|waarom|why|organiseer|organiseren|organise|organize)\b")
_SOON = re.compile(
    r"\b(binnenkort|komende|deze week|volgende week|deze maand|upcoming|soon|coming up|this week|next week|"
    r"this month|te doen|on the agenda|op de agenda|what'?s on)\b"
)
_SOON_ASKS = re.compile(
    r"\b(wat is er|wat staat er|what'?s|what is|is er iets|gebeurt er|happening|is there anything|"
    r"anything on)\b"
)
# "Is er SUBSIDIE voor activiteiten?", "zijn er deze maand nog BIJEENKOMSTEN?": after these words the
# first word that is not about time is what the question asks for.
_EXISTS = re.compile(r"\b(is er|zijn er|is there|are there|any)\b((?:\s+\w[\w'-]*){1,6})")
_TIME_WORDS = frozenset(
    "deze dit die de het een nog ook weer binnenkort volgende komende maand week weken dagen jaar er "
    "this next the a an any some still upcoming soon coming month week weeks in op".split()
)
_WEEK = re.compile(r"\b(deze week|this week)\b")
_NEXT_WEEK = re.compile(r"\b(volgende week|next week)\b")
_MONTH = re.compile(r"\b(deze maand|this month)\b")
SOON_DAYS = 30


def _asked_thing(q: str) -> str | None:
    """What a question asks for: the focus after its wh-word, else the noun after "is er"/"any"."""
    focus = [w for w in analyse_question(q).focus if w not in _TIME_WORDS]
    if focus:
        return focus[0]
    m = _EXISTS.search(q)
    if m:
        return next((w for w in m.group(2).split() if w not in _TIME_WORDS), None)
    return None


def is_events_question(text: str) -> bool:
    """Whether a question asks what events are coming (not how to organise one, nor which funds
    pay for one: what it asks for must itself be an event)."""
    q = T.normalise(text)
    if len(q) > 300 or _HOW.search(q):
        return False
    soon = bool(_SOON.search(q))
    if not (_EVENT.search(q) or (soon and _SOON_ASKS.search(q))):
        return False
    asked = _asked_thing(q)
    if asked is not None and not _EVENT_WORD.match(asked) and asked not in ("staat", "is", "gebeurt"):
        return False
    # A bare "?" counts only for a short question ("Evenementen in Utrecht?"): in a longer one
    # ("kun je me tips geven voor een activiteit?") the event is what the member wants to make.
    short = len(q.split()) <= 6 and q.strip().endswith("?")
    if _EVENT.search(q) and (_ASKS.search(q) or soon or short):
        return True
    return bool(soon and _SOON_ASKS.search(q))


def window(text: str, today: date) -> tuple[date, date | None]:
    """The days a question asks about: (first, last or None = all upcoming)."""
    q = T.normalise(text)
    if _WEEK.search(q):
        return today, today + timedelta(days=6 - today.weekday())
    if _NEXT_WEEK.search(q):
        monday = today + timedelta(days=7 - today.weekday())
        return monday, monday + timedelta(days=6)
    if _MONTH.search(q):
        nxt = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        return today, nxt - timedelta(days=1)
    if _SOON.search(q):
        return today, today + timedelta(days=SOON_DAYS)
    return today, None


def day_label(day: date, today: date, lang: str) -> str:
    """'vandaag', 'morgen', or 'za 12 december' (relative to today, in the Netherlands)."""
    if day == today:
        return t("day_today", lang)
    if day == today + timedelta(days=1):
        return t("day_tomorrow", lang)
    return calendar_day(day, lang, year=day.year != today.year)


def event_line(e: Event, today: date, lang: str) -> str:
    """One event as a line: when, what, where, link."""
    when = day_label(e.day, today, lang) + (f" {e.start}" if e.start else "")
    where = e.where()
    line = f"• {when}: {e.title}" + (f" ({where})" if where else "")
    return line + (f" {e.link}" if e.link else "")


class Agenda:
    """Answers questions about coming events from the events table."""

    def __init__(self, book: EventBook) -> None:
        self.book = book
        self.handlers = {"agenda": self.cmd_agenda}

    def answer(self, text: str, lang: str) -> str:
        """The upcoming events a question asks about, or plainly that there are none."""
        today = self.book.today()
        first, last = window(text, today)
        places = find_places(T.words(text))
        region = places[0] if places else None
        days = None if last is None else (last - today).days
        found = [
            e for e in self.book.upcoming(region.name if region else "", days, limit=50) if e.day >= first
        ]
        where = f" {t('in_region', lang, region=region.name.title())}" if region else ""
        if not found:
            return t("agenda_none", lang, where=where)
        lines = "\n".join(event_line(e, today, lang) for e in found[:10])
        more = t("agenda_more", lang, n=len(found) - 10) if len(found) > 10 else ""
        return t("agenda_list", lang, where=where, lines=lines) + (f"\n{more}" if more else "")

    def intercept(self, msg: Incoming) -> list[Reply] | None:
        """A plain question about coming events is answered from the events table."""
        if not is_events_question(msg.text):
            return None
        lang = reply_language(msg.text, msg.language)
        return [Reply(msg.chat, self.answer(msg.text, lang), lang, reply_to=msg.message_id, kind="notice")]

    def cmd_agenda(self, msg: Incoming, arg: str, lang: str) -> list[Reply]:
        """/agenda [region]: the coming events."""
        lang = reply_language(arg, msg.language)
        return say(msg, self.answer(arg or "binnenkort", lang) if arg else self.answer("", lang), lang)
