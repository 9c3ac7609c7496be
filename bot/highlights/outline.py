"""What the highlights say, before any platform's markup: a title, summary lines and detail sections.

Every renderer (Slack, Telegram, the CLI) formats the same outline, so the platforms say the same.
A line is a tuple of segments: plain, bold, italic or linked text, still unescaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from bot.highlights.compose import UPCOMING_DAYS, Highlights, UpcomingEvent, Waiting
from bot.language import day_label
from bot.texts import TEXTS, t

MAX_ITEMS = 20  # items per section; the rest is "… and n more"
MAX_TITLE = 200  # characters of a member's title or name
MAX_INTRO = 1000  # characters of a moderator's own opening


class Seg(NamedTuple):
    """A piece of a line: text with its style (a link when `url` is set)."""

    text: str
    bold: bool = False
    italic: bool = False
    url: str = ""


Line = tuple[Seg, ...]


@dataclass(frozen=True)
class Section:
    """One part of the details: a heading and its lines."""

    heading: str
    lines: tuple[Line, ...]  # the items (bulleted)
    notes: tuple[Line, ...] = ()  # what follows them ("… and 3 more", how to help)


@dataclass(frozen=True)
class Outline:
    """The highlights as content: the summary message and the details."""

    title: str
    period: str
    intro: str
    summary: tuple[Line, ...]
    sections: tuple[Section, ...]
    empty: bool


def clip(text: str, limit: int = MAX_TITLE) -> str:
    """One line of at most `limit` characters (an ellipsis when cut)."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _names(key: str, lang: str) -> list[str]:
    return t(key, lang).split()


def period(monday: date, lang: str) -> str:
    """'1–7 december 2026', '29 september – 5 oktober 2026', '29 december 2025 – 4 januari 2026'."""
    sunday = monday + timedelta(days=6)
    months = _names("months", lang)
    last = f"{sunday.day} {months[sunday.month - 1]} {sunday.year}"
    if monday.month == sunday.month:
        return f"{monday.day}–{last}"
    first = f"{monday.day} {months[monday.month - 1]}"
    return f"{first}{' ' + str(monday.year) if monday.year != sunday.year else ''} – {last}"


def theme_name(theme: str, lang: str) -> str:
    """A standard theme as the highlights name it in a language."""
    key = f"hl_theme_{theme}"
    return t(key, lang) if key in TEXTS else theme


def _more(shown: int, total: int, lang: str) -> tuple[Line, ...]:
    """'… and n more' when not every item is shown."""
    return ((Seg(t("hl_more", lang, n=total - shown), italic=True),),) if total > shown else ()


def _summary(h: Highlights, lang: str) -> tuple[Line, ...]:
    figures = []
    if h.contributions:
        figures.append(t("hl_sum_contributions", lang, n=len(h.contributions)))
    answered = h.bot_answered + h.expert_answered
    if answered:
        figures.append(t("hl_sum_answered", lang, n=answered, bot=h.bot_answered, experts=h.expert_answered))
    if h.kb_answers:
        figures.append(t("hl_sum_kb", lang, n=len(h.kb_answers)))
    if h.events:
        figures.append(t("hl_sum_events", lang, n=len(h.events)))
    if h.waiting:
        figures.append(t("hl_sum_waiting", lang, n=len(h.waiting)))
    lines: list[Line] = [(Seg(f),) for f in figures]
    if h.topics:
        topics = ", ".join(t("hl_topic", lang, theme=theme_name(x.theme, lang), n=x.count) for x in h.topics)
        lines.append((Seg(t("hl_sum_topics", lang, topics=topics)),))
    return tuple(lines)


def _contributions(h: Highlights, lang: str) -> Section:
    lines: list[Line] = []
    for c in h.contributions[:MAX_ITEMS]:
        author = clip(c.author) if c.author else t("a_member", lang)
        by = t("hl_by", lang, kind=t(f"kind_{c.kind}", lang), author=author)
        where = f" · {clip(c.region, 100)}" if c.region else ""
        lines.append((Seg(clip(c.title) or "—", bold=True, url=c.link), Seg(f" · {by}{where}")))
    return Section(
        t("hl_sec_contributions", lang), tuple(lines), _more(len(lines), len(h.contributions), lang)
    )


def _experts(h: Highlights, lang: str) -> Section:
    lines: list[Line] = []
    for a in h.expert_answers[:MAX_ITEMS]:
        line = [Seg(f"“{a.question}”", italic=True), Seg(" · " + t("hl_thanks", lang, expert=clip(a.expert)))]
        if a.in_kb:
            line.append(Seg(" · " + t("hl_in_kb", lang)))
        lines.append(tuple(line))
    notes = _more(len(lines), len(h.expert_answers), lang)
    unlisted = h.expert_answered - len(h.expert_answers)
    if unlisted > 0:
        notes += ((Seg(t("hl_unlisted", lang, n=unlisted)),),)
    return Section(t("hl_sec_experts", lang), tuple(lines), notes)


def _kb(h: Highlights, lang: str) -> Section | None:
    """Knowledge-base entries not already shown among the experts' answers."""
    shown = {a.question_id for a in h.expert_answers[:MAX_ITEMS]}
    rest = [k for k in h.kb_answers if k.question_id not in shown]
    if not rest:
        return None
    lines: list[Line] = [
        (Seg(f"“{k.title}”", italic=True), Seg(" · " + t("hl_thanks", lang, expert=clip(k.expert))))
        for k in rest[:MAX_ITEMS]
    ]
    return Section(t("hl_sec_kb", lang), tuple(lines), _more(len(lines), len(rest), lang))


def _event(e: UpcomingEvent, lang: str, year: bool) -> Line:
    when = day_label(date.fromisoformat(e.day), lang, year) + f", {e.start or t('hl_all_day', lang)}"
    where = f" · {clip(e.where)}" if e.where else ""
    link = e.link if e.link.startswith(("https://", "http://")) else ""
    return (Seg(f"{when} · "), Seg(clip(e.title) or "—", bold=True, url=link), Seg(where))


def _events(h: Highlights, lang: str) -> Section:
    first = date.fromisoformat(h.sunday) + timedelta(days=1)
    last = first + timedelta(days=UPCOMING_DAYS - 1)
    year = first.year != last.year
    lines = [_event(e, lang, year) for e in h.events[:MAX_ITEMS]]
    heading = t("hl_sec_events", lang, first=day_label(first, lang), last=day_label(last, lang))
    return Section(heading, tuple(lines), _more(len(lines), len(h.events), lang))


def _waiting_line(w: Waiting, lang: str) -> Line:
    themes = ", ".join(theme_name(x, lang) for x in w.themes) or t("hl_no_theme", lang)
    since = t("hl_since", lang, day=day_label(date.fromisoformat(w.since), lang))
    claimed = f" · {t('hl_claimed', lang)}" if w.claimed else ""
    return (Seg(f"#{w.question_id}", bold=True), Seg(f" · {themes} · {since}{claimed}"))


def _waiting(h: Highlights, lang: str) -> Section:
    lines = [_waiting_line(w, lang) for w in h.waiting[:MAX_ITEMS]]
    how: tuple[Line, ...] = ((Seg(t("hl_waiting_how", lang), italic=True),),)
    notes = _more(len(lines), len(h.waiting), lang) + how
    return Section(t("hl_sec_waiting", lang), tuple(lines), notes)


def outline(h: Highlights, lang: str = "nl", intro: str | None = None) -> Outline:
    """The highlights of a week as content in a language; a quiet week is one short note.

    `intro` replaces the standard opening sentence (a moderator's own words; "" for none)."""
    monday = date.fromisoformat(h.monday)
    title = t("hl_title", lang, week=h.week_number)
    if h.empty:
        return Outline(title, period(monday, lang), "", ((Seg(t("hl_empty", lang)),),), (), True)
    opening = t("hl_intro", lang) if intro is None else clip(intro, MAX_INTRO)
    sections: list[Section] = []
    if h.contributions:
        sections.append(_contributions(h, lang))
    if h.expert_answers:
        sections.append(_experts(h, lang))
    kb = _kb(h, lang)
    if kb is not None:
        sections.append(kb)
    if h.events:
        sections.append(_events(h, lang))
    if h.waiting:
        sections.append(_waiting(h, lang))
    return Outline(title, period(monday, lang), opening, _summary(h, lang), tuple(sections), False)
