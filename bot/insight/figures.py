"""The report's figures over the last full ISO weeks, counted by the database (read only).

Every number is a GROUP BY over the weeks' questions, routings and votes: no row becomes an ORM
object. Only the routings' three moments (for medians) and a bounded recent sample of question texts
(for the topics) are read row by row, as plain tuples.

The small-group rule (`MIN_GROUP`): nothing is shown about a group of fewer than 5 people. An asker
is a person (linked Slack and Telegram accounts count once). A topic line is shown only when at least
5 different askers asked about it; figures per expert (under a pseudonym) only when at least 5
experts who are not moderators answered in the period (a moderator who is an expert knows their own
line: the others must still be 5); a knowledge gap only when at least 5 different askers asked it
(bot/insight/gaps.py); the experts' times (median, p90), of the period or of a week, only when they
come from at least 5 different experts (one expert's week would be that expert's time). Counts over
the whole community (questions per week, shares, votes) are always shown.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, String, and_, case, cast, func, literal, select
from sqlalchemy.orm import Session, sessionmaker

from bot.conversations.records import ANSWERED, EXPIRED, FeedbackRecord, QuestionRecord
from bot.experts.records import ExpertRecord, RoutingRecord
from bot.highlights.compose import TZ_NAME, iso_week, parse_week, question_themes, week_bounds, week_of
from bot.messages import HELPFUL, NOT_HELPFUL
from bot.people.records import AccountRecord
from bot.privacy.pseudonyms import Pseudonyms
from storage.db import utcnow

MIN_GROUP = 5  # fewer people than this are never shown as a group of their own
MAX_WEEKS = 52
DEFAULT_WEEKS = 4
TOPIC_SAMPLE = 10_000  # the most recent questions of the period whose themes are counted
MAX_TOPICS = 5
ASKED_FROM_GAP = "insight-"  # the message id of a question a moderator sent to the experts with ❓
BOT, EXPERT, EXPIRED_OUT, OPEN = "bot", "expert", "expired", "open"
OUTCOMES = (BOT, EXPERT, EXPIRED_OUT, OPEN)


class WeeksError(ValueError):
    """A number of weeks the report cannot cover."""


def check_weeks(weeks: int) -> int:
    """The number of weeks, or WeeksError with the allowed range."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise WeeksError(f"weeks must be between 1 and {MAX_WEEKS}, not {weeks}")
    return weeks


@dataclass(frozen=True)
class Times:
    """Durations in hours: how many, their median and 90th percentile (nearest rank), and from how
    many different experts (a week's median of one expert's claims is that expert's time)."""

    n: int
    median: float | None
    p90: float | None
    experts: int = 0

    @property
    def shown(self) -> bool:
        """Whether the times may be shown: they come from at least MIN_GROUP experts."""
        return self.n > 0 and self.experts >= MIN_GROUP


def times(hours: Sequence[float], who: Sequence[object] = ()) -> Times:
    """The median (the middle, or the mean of the two middle values) and the nearest-rank p90;
    `who`: the expert of each duration (None when unknown)."""
    experts = len({w for w in who if w is not None})
    if not hours:
        return Times(0, None, None, experts)
    ordered = sorted(hours)
    p90 = ordered[math.ceil(0.9 * len(ordered)) - 1]
    return Times(len(ordered), statistics.median(ordered), p90, experts)


@dataclass(frozen=True)
class Week:
    """One ISO week: questions by outcome (by the week they were asked), votes, the experts' times."""

    week: str
    asked: int
    askers: int
    bot: int
    expert: int
    expired: int
    open: int
    helpful: int
    not_helpful: int
    routed: int  # routings started in the week
    claim: Times
    answer: Times


@dataclass(frozen=True)
class ExpertLine:
    """One expert's answers in the period, under a pseudonym (only shown for 5 experts or more)."""

    expert: str
    answered: int
    answer: Times


@dataclass(frozen=True)
class Topic:
    """A standard theme: how many of the sampled questions named it, from how many askers."""

    theme: str
    questions: int
    askers: int


@dataclass(frozen=True)
class Figures:
    """The report's numbers over whole ISO weeks in the community's time zone."""

    weeks: tuple[str, ...]
    first_day: str  # ISO date of the first Monday
    last_day: str  # ISO date of the last Sunday
    tz: str
    generated_at: str
    per_week: tuple[Week, ...]
    askers: int  # different askers (platform accounts) in the whole period
    claim: Times
    answer: Times
    experts_active: int  # experts who answered in the period
    experts: tuple[ExpertLine, ...]  # empty when fewer than MIN_GROUP non-moderator experts answered
    topics: tuple[Topic, ...]
    topics_hidden: int  # themes asked about by fewer than MIN_GROUP askers
    topic_sample: int  # questions whose themes were counted (at most TOPIC_SAMPLE)

    def total(self, name: str) -> int:
        """A count summed over the weeks (asked, bot, expert, expired, open, helpful, ...)."""
        return sum(int(getattr(w, name)) for w in self.per_week)

    @property
    def asked(self) -> int:
        """Questions asked in the period."""
        return self.total("asked")

    def share(self, outcome: str) -> float:
        """The share of the period's questions with an outcome (bot, expert, expired, open)."""
        return self.total(outcome) / self.asked if self.asked else 0.0

    @property
    def empty(self) -> bool:
        """Nothing happened in the period: no question, no routing."""
        return not self.asked and not self.total("routed")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable data."""
        return {**asdict(self), "asked": self.asked, "empty": self.empty}


def period(weeks: int, now: datetime, tz: str = TZ_NAME) -> tuple[str, ...]:
    """The `weeks` full ISO weeks before the week of `now` (local time), oldest first."""
    monday = parse_week(week_of(now, tz))
    days = [monday - timedelta(days=7 * k) for k in range(check_weeks(weeks), 0, -1)]
    return tuple(iso_week(d) for d in days)


def bounds(weeks: Sequence[str], tz: str) -> list[datetime]:
    """The UTC start of every week and the end of the last: len(weeks) + 1 moments."""
    edges = [week_bounds(w, tz)[0] for w in weeks]
    return [*edges, week_bounds(weeks[-1], tz)[1]]


def bucket(column: Any, edges: list[datetime]) -> Any:
    """A SQL expression: the index of the week a moment falls in (rows are filtered to the period)."""
    return case(*[(column < edge, i) for i, edge in enumerate(edges[1:])], else_=len(edges) - 1)


def outcome_of() -> Any:
    """A SQL expression: what became of a question (a question joined to its routing, if any)."""
    return case(
        (RoutingRecord.answered_at.is_not(None), EXPERT),
        (QuestionRecord.status == EXPIRED, EXPIRED_OUT),
        (QuestionRecord.status == ANSWERED, BOT),
        else_=OPEN,
    )


def asker() -> Any:
    """A SQL expression naming an asker: their person (linked accounts are one), else their account.

    Needs `AccountRecord` outer-joined to the question (`with_asker`)."""
    person = literal("person:") + cast(AccountRecord.person_id, String)
    return func.coalesce(person, QuestionRecord.platform + ":" + QuestionRecord.user_id)


def with_asker(stmt: Select[Any]) -> Select[Any]:
    """A statement over questions with the asker's account joined (for `asker()`)."""
    return stmt.outerjoin(
        AccountRecord,
        and_(
            AccountRecord.platform == QuestionRecord.platform, AccountRecord.user_id == QuestionRecord.user_id
        ),
    )


def _hours(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds() / 3600.0


def compute(
    sessions: sessionmaker[Session],
    weeks: int = DEFAULT_WEEKS,
    tz: str = TZ_NAME,
    clock: Callable[[], datetime] = utcnow,
    pseudonyms: Pseudonyms | None = None,
) -> Figures:
    """The figures of the last `weeks` full weeks (WeeksError for too few or too many weeks)."""
    names = period(weeks, clock(), tz)
    edges = bounds(names, tz)
    start, end = edges[0], edges[-1]
    in_period = (QuestionRecord.created_at >= start, QuestionRecord.created_at < end)
    n = len(names)
    counts: dict[tuple[int, str], int] = defaultdict(int)
    with sessions() as s:
        # One expression object each, in SELECT and GROUP BY: PostgreSQL then sees the same bound
        # parameters in both (two copies of a CASE are two different expressions to it).
        wk, outcome = bucket(QuestionRecord.created_at, edges), outcome_of()
        rows = s.execute(
            select(wk, outcome, func.count())
            .select_from(QuestionRecord)
            .outerjoin(RoutingRecord, RoutingRecord.question_id == QuestionRecord.id)
            .where(*in_period)
            .group_by(wk, outcome)
        )
        for i, what, c in rows:
            counts[(int(i), str(what))] += int(c)
        people = select(wk, func.count(func.distinct(asker()))).select_from(QuestionRecord)
        askers_by_week: dict[int, int] = dict(
            s.execute(with_asker(people).where(*in_period).group_by(wk)).all()
        )
        everyone = select(func.count(func.distinct(asker()))).select_from(QuestionRecord)
        askers = int(s.scalar(with_asker(everyone).where(*in_period)) or 0)
        votes = s.execute(
            select(wk, FeedbackRecord.value, func.count())
            .join(QuestionRecord, QuestionRecord.id == FeedbackRecord.question_id)
            .where(*in_period)
            .group_by(wk, FeedbackRecord.value)
        )
        for i, value, c in votes:
            counts[(int(i), f"vote:{value}")] += int(c)
        routings = s.execute(
            select(
                bucket(RoutingRecord.routed_at, edges),
                RoutingRecord.routed_at,
                RoutingRecord.claimed_at,
                RoutingRecord.answered_at,
                RoutingRecord.answered_by,
                RoutingRecord.claimed_by,
            ).where(RoutingRecord.routed_at >= start, RoutingRecord.routed_at < end)
        ).all()
        topics, hidden, sampled = _topics(s, start, end)
        moderators = set(s.scalars(select(ExpertRecord.id).where(ExpertRecord.moderator.is_(True))))
    claims: list[list[float]] = [[] for _ in range(n)]
    answers: list[list[float]] = [[] for _ in range(n)]
    claimers: list[list[object]] = [[] for _ in range(n)]
    answerers: list[list[object]] = [[] for _ in range(n)]
    routed = [0] * n
    by_expert: dict[int, list[float]] = defaultdict(list)
    for i, routed_at, claimed_at, answered_at, answered_by, claimer in routings:
        routed[int(i)] += 1
        if claimed_at is not None:
            claims[int(i)].append(_hours(routed_at, claimed_at))
            claimers[int(i)].append(claimer)
        if answered_at is not None:
            answers[int(i)].append(_hours(routed_at, answered_at))
            answerers[int(i)].append(answered_by)
            if answered_by is not None:
                by_expert[int(answered_by)].append(_hours(routed_at, answered_at))
    per_week = tuple(
        Week(
            week=names[i],
            asked=sum(counts[(i, o)] for o in OUTCOMES),
            askers=int(askers_by_week.get(i, 0)),
            bot=counts[(i, BOT)],
            expert=counts[(i, EXPERT)],
            expired=counts[(i, EXPIRED_OUT)],
            open=counts[(i, OPEN)],
            helpful=counts[(i, f"vote:{HELPFUL}")],
            not_helpful=counts[(i, f"vote:{NOT_HELPFUL}")],
            routed=routed[i],
            claim=times(claims[i], claimers[i]),
            answer=times(answers[i], answerers[i]),
        )
        for i in range(n)
    )
    alias = (pseudonyms or Pseudonyms(sessions)).of
    experts = (
        tuple(
            sorted(
                (ExpertLine(alias(e, kind="expert"), len(h), times(h)) for e, h in by_expert.items()),
                key=lambda x: (-x.answered, x.expert),
            )
        )
        if len(by_expert.keys() - moderators) >= MIN_GROUP
        else ()
    )
    monday = parse_week(names[0])
    return Figures(
        weeks=names,
        first_day=monday.isoformat(),
        last_day=(parse_week(names[-1]) + timedelta(days=6)).isoformat(),
        tz=tz,
        generated_at=clock().replace(tzinfo=UTC).isoformat(),
        per_week=per_week,
        askers=askers,
        claim=times([h for w in claims for h in w], [e for w in claimers for e in w]),
        answer=times([h for w in answers for h in w], [e for w in answerers for e in w]),
        experts_active=len(by_expert),
        experts=experts,
        topics=topics,
        topics_hidden=hidden,
        topic_sample=sampled,
    )


def _topics(s: Session, start: datetime, end: datetime) -> tuple[tuple[Topic, ...], int, int]:
    """The top themes of the latest `TOPIC_SAMPLE` questions (MIN_GROUP askers each), hidden, read."""
    rows = s.execute(
        with_asker(select(QuestionRecord.text, asker()).select_from(QuestionRecord))
        .where(
            QuestionRecord.created_at >= start,
            QuestionRecord.created_at < end,
            QuestionRecord.message_id.not_like(f"{ASKED_FROM_GAP}%"),  # a moderator's re-ask of a gap
        )
        .order_by(QuestionRecord.created_at.desc(), QuestionRecord.id.desc())
        .limit(TOPIC_SAMPLE)
    ).all()
    counts: Counter[str] = Counter()
    people: dict[str, set[str]] = defaultdict(set)
    for text, who in rows:
        for theme in question_themes(text):
            counts[theme] += 1
            people[theme].add(who)
    shown = [(name, c) for name, c in counts.items() if len(people[name]) >= MIN_GROUP]
    top = sorted(shown, key=lambda kv: (-kv[1], kv[0]))[:MAX_TOPICS]
    hidden = len(counts) - len(shown)
    return tuple(Topic(name, c, len(people[name])) for name, c in top), hidden, len(rows)
