"""The highlights of one ISO week, read from the database (nothing is written).

The week runs from Monday 00:00 to the next Monday 00:00 in the community's time zone, so a week
with a change to or from summer time has 167 or 169 hours; stored moments are naive UTC.

Public means public: the highlights name members only for what they submitted to be published
(their approved tips and projects), name an expert only where the expert agreed to publish the
answer, and never quote a question nobody agreed to publish (see `_expert_answers` and `_waiting`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.community.events import EventBook
from bot.community.forms import themes_of
from bot.community.records import APPROVED, SubmissionRecord
from bot.conversations.records import (
    ANSWERED,
    CLAIMED,
    EXPERT_REQUESTED,
    ROUTED,
    QuestionEvent,
    QuestionRecord,
)
from bot.experts import themes as TH
from bot.experts.records import ExpertRecord, RoutingRecord
from bot.people.records import PersonRecord
from knowledge_base import text as T
from storage.db import utcnow

TZ_NAME = "Europe/Amsterdam"
UPCOMING_DAYS = 14  # events in the two weeks from the Monday the highlights are posted
MAX_TOPICS = 5
MAX_EVENTS = 200
MAX_QUOTE = 300  # characters of a question quoted in the highlights
CONSENTED = ("pending", "approved", "published")  # the answering expert said yes to publishing
WAITING = (ROUTED, EXPERT_REQUESTED, CLAIMED)  # routed, not answered, not expired or resolved
_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$")


@dataclass(frozen=True)
class Contribution:
    """An approved tip or project, credited to its author ("" when the author has no display name)."""

    id: int
    kind: str
    title: str
    author: str
    region: str
    link: str
    themes: tuple[str, ...]


@dataclass(frozen=True)
class ExpertAnswer:
    """A question an expert answered and agreed to publish, with the expert's name as credit."""

    question_id: int
    question: str
    expert: str
    in_kb: bool  # published in the knowledge base


@dataclass(frozen=True)
class KBAnswer:
    """A Q&A entry of an expert's answer in the knowledge base."""

    question_id: int
    title: str
    path: str
    expert: str


@dataclass(frozen=True)
class UpcomingEvent:
    """An approved event in the two weeks after the highlights' week."""

    id: int
    title: str
    day: str  # ISO date
    start: str  # HH:MM or "" (all day)
    where: str
    link: str


@dataclass(frozen=True)
class Topic:
    """A theme and how many of the week's questions named it."""

    theme: str
    count: int


@dataclass(frozen=True)
class Waiting:
    """A routed question still without an expert's answer (its themes only: the text may be private)."""

    question_id: int
    themes: tuple[str, ...]
    since: str  # ISO date (local) it was routed
    claimed: bool  # an expert has taken it on


@dataclass(frozen=True)
class Highlights:
    """What there is to say about one ISO week."""

    week: str  # "2026-W49"
    tz: str
    monday: str  # ISO date of the week's first day
    sunday: str
    generated_at: str  # ISO moment (UTC)
    contributions: tuple[Contribution, ...]
    expert_answers: tuple[ExpertAnswer, ...]
    kb_answers: tuple[KBAnswer, ...]
    events: tuple[UpcomingEvent, ...]
    topics: tuple[Topic, ...]
    waiting: tuple[Waiting, ...]
    asked: int  # questions members asked in the week
    bot_answered: int
    expert_answered: int  # also those not listed (no consent to publish)

    @property
    def empty(self) -> bool:
        """Nothing happened and nothing is coming: no highlights to post."""
        lists = (self.contributions, self.expert_answers, self.kb_answers, self.events, self.waiting)
        return (
            not any(lists)
            and not self.topics
            and not (self.asked or self.bot_answered or self.expert_answered)
        )

    @property
    def week_number(self) -> int:
        """The ISO week number."""
        return int(self.week.split("-W")[1])

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable data."""
        return {**asdict(self), "empty": self.empty}


def zone(tz: str) -> ZoneInfo:
    """A time zone by name; ValueError for an unknown one."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {tz!r}") from exc


def parse_week(week: str) -> date:
    """The Monday of an ISO week written "2026-W49"; ValueError with a clear message otherwise."""
    m = _WEEK.match(week.strip())
    if m is None:
        raise ValueError(f"not an ISO week: {week!r} (write it like 2026-W49)")
    year, number = int(m.group(1)), int(m.group(2))
    try:
        return date.fromisocalendar(year, number, 1)
    except ValueError:
        raise ValueError(f"{year} has no week {number}") from None


def iso_week(day: date) -> str:
    """The ISO week of a day, as "2026-W49" (the inverse of parse_week)."""
    year, number, _ = day.isocalendar()
    return f"{year}-W{number:02d}"


def week_of(moment: datetime, tz: str = TZ_NAME) -> str:
    """The ISO week (local time) of a naive UTC moment, as "2026-W49"."""
    return iso_week(moment.replace(tzinfo=UTC).astimezone(zone(tz)).date())


def week_bounds(week: str, tz: str = TZ_NAME) -> tuple[datetime, datetime]:
    """Monday 00:00 and the next Monday 00:00 local time, as naive UTC moments."""
    monday, where = parse_week(week), zone(tz)

    def utc(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=where).astimezone(UTC).replace(tzinfo=None)

    return utc(monday), utc(monday + timedelta(days=7))


def compose(
    sessions: sessionmaker[Session],
    week: str,
    tz: str = TZ_NAME,
    clock: Callable[[], datetime] = utcnow,
) -> Highlights:
    """The highlights of an ISO week (ValueError for a malformed week or an unknown time zone)."""
    monday = parse_week(week)
    start, end = week_bounds(week, tz)
    with sessions() as s:
        contributions = _contributions(s, start, end)
        answers, kb = _expert_answers(s, start, end)
        topics, asked = _topics(s, start, end)
        waiting = _waiting(s, end, tz)
        bot = s.scalar(
            select(func.count(func.distinct(QuestionEvent.question_id))).where(
                QuestionEvent.status == ANSWERED,
                QuestionEvent.actor == "bot",
                QuestionEvent.at >= start,
                QuestionEvent.at < end,
            )
        )
        experts = s.scalar(
            select(func.count()).where(RoutingRecord.answered_at >= start, RoutingRecord.answered_at < end)
        )
    return Highlights(
        week=iso_week(monday),
        tz=tz,
        monday=monday.isoformat(),
        sunday=(monday + timedelta(days=6)).isoformat(),
        generated_at=clock().replace(tzinfo=UTC).isoformat(),
        contributions=contributions,
        expert_answers=answers,
        kb_answers=kb,
        events=_events(sessions, monday + timedelta(days=7)),
        topics=topics,
        waiting=waiting,
        asked=asked,
        bot_answered=int(bot or 0),
        expert_answered=int(experts or 0),
    )


def _credit(r: SubmissionRecord) -> str:
    """The author's display name; "" for none (a platform id or a person number is no name)."""
    name = (r.author_name or "").strip()
    return "" if not name or name == f"{r.platform}:{r.user_id}" or name.startswith("#") else name


def _contributions(s: Session, start: datetime, end: datetime) -> tuple[Contribution, ...]:
    """Tips and projects approved in the week, of members still in the community."""
    rows = s.scalars(
        select(SubmissionRecord)
        .join(PersonRecord, PersonRecord.id == SubmissionRecord.author_id)
        .where(
            SubmissionRecord.kind.in_(("tip", "project")),
            SubmissionRecord.state == APPROVED,
            SubmissionRecord.decided_at >= start,
            SubmissionRecord.decided_at < end,
            PersonRecord.blocked.is_(False),
        )
        .order_by(SubmissionRecord.decided_at, SubmissionRecord.id)
    )
    out = []
    for r in rows:
        f = {k: str(v or "") for k, v in (r.fields or {}).items()}
        link = f.get("link", "")
        out.append(
            Contribution(
                r.id,
                r.kind,
                f.get("title", "").strip(),
                _credit(r),
                f.get("region", "").strip(),
                link if link.startswith(("https://", "http://")) else "",
                tuple(themes_of(f)),
            )
        )
    return tuple(out)


def _expert_answers(
    s: Session, start: datetime, end: datetime
) -> tuple[tuple[ExpertAnswer, ...], tuple[KBAnswer, ...]]:
    """Expert answers of the week that the expert agreed to publish, and those now in the KB.

    Only an answer whose expert said yes to publishing (kb_status pending, approved or published)
    is listed, with the expert's name: that yes is the expert's consent to the answer being public
    under their name, as the knowledge-base entry credits it. An answer without that yes (declined,
    rejected by a moderator, or not decided yet) is left out altogether rather than listed without
    the name: the expert chose not to make the exchange public, and the question may have been asked
    in a private chat. It still counts in `expert_answered`.

    A Q&A entry is new in the week it entered the knowledge base (`kb_published_at`): with a
    moderator's approval that may be a week after the answer.
    """
    rows = s.execute(
        select(RoutingRecord, QuestionRecord.text, ExpertRecord.name)
        .join(QuestionRecord, QuestionRecord.id == RoutingRecord.question_id)
        .join(ExpertRecord, ExpertRecord.id == RoutingRecord.answered_by)
        .where(
            RoutingRecord.answered_at >= start,
            RoutingRecord.answered_at < end,
            RoutingRecord.kb_status.in_(CONSENTED),
        )
        .order_by(RoutingRecord.answered_at, RoutingRecord.question_id)
    ).all()
    answers = [
        ExpertAnswer(r.question_id, _quote(question), expert, r.kb_status == "published")
        for r, question, expert in rows
    ]
    entries = s.execute(
        select(RoutingRecord, QuestionRecord.text, ExpertRecord.name)
        .join(QuestionRecord, QuestionRecord.id == RoutingRecord.question_id)
        .join(ExpertRecord, ExpertRecord.id == RoutingRecord.answered_by)
        .where(
            RoutingRecord.kb_status == "published",
            # Published before this column existed: counted in the week of the answer, as before.
            func.coalesce(RoutingRecord.kb_published_at, RoutingRecord.answered_at) >= start,
            func.coalesce(RoutingRecord.kb_published_at, RoutingRecord.answered_at) < end,
        )
        .order_by(RoutingRecord.kb_published_at, RoutingRecord.question_id)
    ).all()
    kb = [KBAnswer(r.question_id, _quote(question), r.kb_path, expert) for r, question, expert in entries]
    return tuple(answers), tuple(kb)


def question_themes(text: str) -> list[str]:
    """The standard themes a question names or cues (bot/experts/themes.py), in the data's order."""
    norm, stems = T.normalise(text), TH.stems(text)
    return [name for name in TH.themes() if TH.tag_named(name, norm, stems) or TH.tag_cued(name, stems)]


def _topics(s: Session, start: datetime, end: datetime) -> tuple[tuple[Topic, ...], int]:
    """The most asked themes of the week's questions (each question counts once per theme)."""
    texts = list(
        s.scalars(
            select(QuestionRecord.text).where(
                QuestionRecord.created_at >= start, QuestionRecord.created_at < end
            )
        )
    )
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(question_themes(text))
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_TOPICS]
    return tuple(Topic(name, n) for name, n in top), len(texts)


def _waiting(s: Session, end: datetime, tz: str) -> tuple[Waiting, ...]:
    """Questions routed before the week's end that still wait for an expert's answer now.

    Listed by number and themes only, never by their text: the asker did not agree to publish it."""
    rows = s.execute(
        select(RoutingRecord, QuestionRecord.text)
        .join(QuestionRecord, QuestionRecord.id == RoutingRecord.question_id)
        .where(
            and_(RoutingRecord.routed_at < end, RoutingRecord.answered_at.is_(None)),
            QuestionRecord.status.in_(WAITING),
        )
        .order_by(RoutingRecord.routed_at, RoutingRecord.question_id)
    ).all()
    where = zone(tz)
    return tuple(
        Waiting(
            r.question_id,
            tuple(question_themes(text)[:2]),
            r.routed_at.replace(tzinfo=UTC).astimezone(where).date().isoformat(),
            r.claimed_by is not None,
        )
        for r, text in rows
    )


def _events(sessions: sessionmaker[Session], first: date) -> tuple[UpcomingEvent, ...]:
    """Events (not cancelled) on the `UPCOMING_DAYS` days from `first`, soonest first."""
    noon = datetime.combine(first, time(12))  # the event book's "today" is `first`
    book = EventBook(sessions, lambda: noon)
    found = book.upcoming(days=UPCOMING_DAYS - 1, limit=MAX_EVENTS)
    return tuple(UpcomingEvent(e.id, e.title, e.day.isoformat(), e.start, e.where(), e.link) for e in found)


def _quote(text: str) -> str:
    """A question as quoted: one line, at most `MAX_QUOTE` characters."""
    line = " ".join(text.split())
    return line if len(line) <= MAX_QUOTE else line[: MAX_QUOTE - 1].rstrip() + "…"
