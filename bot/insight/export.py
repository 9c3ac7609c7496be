"""The questions of the report's period as CSV for moderators: pseudonyms instead of ids, no names.

What members type can be personal and even special-category data (health, poverty), so the export
holds no question or answer text and no name (the report's topics and gaps say what was asked).
Question, asker (the person: linked accounts are one) and expert are keyed pseudonyms
(bot/privacy/pseudonyms.py): stable across exports under one installation key, so rows can be
counted and joined, but not traced back. The expert column is empty when the report hides its
figures per expert (the small-group rule).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from sqlalchemy import Integer, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.conversations.records import FeedbackRecord, QuestionRecord
from bot.experts.records import RoutingRecord
from bot.highlights.compose import iso_week, zone
from bot.insight.figures import asker, outcome_of, with_asker
from bot.messages import HELPFUL, NOT_HELPFUL
from bot.privacy.pseudonyms import Pseudonyms

COLUMNS = (
    "question",
    "follow_up_of",
    "asker",
    "week",
    "asked_at",
    "platform",
    "language",
    "status",
    "outcome",
    "routed",
    "helpful",
    "not_helpful",
    "hours_to_claim",
    "hours_to_answer",
    "expert",
    "in_knowledge_base",
)


def _hours(a: datetime | None, b: datetime | None) -> str:
    return "" if a is None or b is None else f"{(b - a).total_seconds() / 3600:.2f}"


def questions_csv(
    sessions: sessionmaker[Session],
    start: datetime,
    end: datetime,
    tz: str,
    pseudonyms: Pseudonyms,
    experts: bool = False,
) -> tuple[bytes, int]:
    """The CSV (UTF-8 with a BOM, for spreadsheets) of the questions asked in [start, end), and its rows.

    `experts`: the expert column holds pseudonyms only when the report shows figures per expert
    (enough experts answered); otherwise it stays empty, as the report's per-expert lines do."""
    votes = (
        select(
            FeedbackRecord.question_id.label("qid"),
            func.sum((FeedbackRecord.value == HELPFUL).cast(Integer)).label("up"),
            func.sum((FeedbackRecord.value == NOT_HELPFUL).cast(Integer)).label("down"),
        )
        .group_by(FeedbackRecord.question_id)
        .subquery()
    )
    stmt = (
        with_asker(
            select(
                QuestionRecord.id,
                QuestionRecord.parent_id,
                asker(),
                QuestionRecord.created_at,
                QuestionRecord.platform,
                QuestionRecord.language,
                QuestionRecord.status,
                outcome_of(),
                RoutingRecord.routed_at,
                RoutingRecord.claimed_at,
                RoutingRecord.answered_at,
                RoutingRecord.answered_by,
                RoutingRecord.kb_status,
                votes.c.up,
                votes.c.down,
            ).select_from(QuestionRecord)
        )
        .outerjoin(RoutingRecord, RoutingRecord.question_id == QuestionRecord.id)
        .outerjoin(votes, votes.c.qid == QuestionRecord.id)
        .where(QuestionRecord.created_at >= start, QuestionRecord.created_at < end)
        .order_by(QuestionRecord.created_at, QuestionRecord.id)
    )
    where = zone(tz)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    n = 0
    seen: dict[tuple[object, str], str] = {}

    def of(value: object, kind: str) -> str:
        """A pseudonym, computed once per value (an asker has many rows)."""
        key = (value, kind)
        if key not in seen:
            seen[key] = pseudonyms.of(value, kind=kind)
        return seen[key]

    with sessions() as s:
        for row in s.execute(stmt.execution_options(yield_per=5000)):
            (qid, parent, who, at, platform, lang, status, outcome) = row[:8]
            routed_at, claimed_at, answered_at, expert, kb, up, down = row[8:]
            local = at.replace(tzinfo=UTC).astimezone(where)
            writer.writerow(
                (
                    of(qid, "question"),
                    of(parent, "question") if parent else "",
                    of(who, "account"),
                    iso_week(local.date()),
                    local.strftime("%Y-%m-%d %H:%M"),
                    platform,
                    lang,
                    status,
                    outcome,
                    "yes" if routed_at is not None else "no",
                    int(up or 0),
                    int(down or 0),
                    _hours(routed_at, claimed_at),
                    _hours(routed_at, answered_at),
                    of(expert, "expert") if expert and experts else "",
                    "yes" if kb == "published" else "no",
                )
            )
            n += 1
    return ("\ufeff" + out.getvalue()).encode("utf-8"), n
