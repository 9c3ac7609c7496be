"""Knowledge gaps: questions the knowledge base did not answer well, grouped by meaning.

A candidate is a question of the period that went to the experts (and whose answer is not in the
knowledge base yet) or that a member marked 👎. Only the latest `GAP_SAMPLE` candidates are grouped,
so the work is bounded however busy the community is (the report says how many there were).

Each candidate's content words, without place names (the same question about another town is the
same gap), are embedded with the bundled wordllama model, the one the answerer compares sentences
with (no other model is loaded). Grouping is greedy: the question with the most
neighbours above `SIMILAR` (cosine) founds a group and takes its unassigned neighbours, then the next.
The founder is the group's representative, shown anonymised (`quoted`). Groups rank by how many
questions they hold; a group is shown only when at least `MIN_GROUP` different askers asked its
questions (the small-group rule).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from bot.conversations.records import EXPIRED, FeedbackRecord, QuestionRecord
from bot.experts.records import RoutingRecord
from bot.highlights.compose import question_themes, zone
from bot.insight.figures import ASKED_FROM_GAP, MIN_GROUP, asker, with_asker
from bot.messages import NOT_HELPFUL
from bot.privacy.paraphrase import anonymise
from knowledge_base import text as T
from knowledge_base.analysis import places

GAP_SAMPLE = 2000  # the latest candidates that are grouped
SIMILAR = 0.45  # cosine of the content-word embeddings for two questions to be "the same question"
MAX_GAPS = 5
MAX_QUOTE = 160

Embed = Callable[[list[str]], np.ndarray]  # texts -> L2-normalised rows


@dataclass(frozen=True)
class Gap:
    """A question that keeps coming back: its representative and how often, from how many askers."""

    question_id: int  # the representative question (the buttons act on it)
    question: str
    questions: int
    askers: int
    routed: int
    not_helpful: int
    expired: int
    last_day: str  # ISO date (local) of the latest question of the group
    themes: tuple[str, ...]


@dataclass(frozen=True)
class Gaps:
    """The period's knowledge gaps."""

    gaps: tuple[Gap, ...]
    hidden: int  # groups of two or more questions from fewer than MIN_GROUP askers
    more: int  # gaps beyond the MAX_GAPS shown
    candidates: int  # routed or 👎 questions in the period
    sampled: int  # of which grouped (the latest GAP_SAMPLE)


_MODEL: list[Any] = []


def bundled_embed(texts: list[str]) -> np.ndarray:
    """The bundled wordllama model (loaded once per process, from inside its wheel)."""
    if not _MODEL:
        from knowledge_base.embeddings import WordLlamaEmbeddings

        _MODEL.append(WordLlamaEmbeddings())
    return np.asarray(_MODEL[0].embed_array(texts), dtype=np.float32)


def _candidates(s: Session, start: datetime, end: datetime, limit: int) -> tuple[list[Any], int]:
    down = exists().where(
        FeedbackRecord.question_id == QuestionRecord.id, FeedbackRecord.value == NOT_HELPFUL
    )
    routed = RoutingRecord.question_id.is_not(None) & (
        func.coalesce(RoutingRecord.kb_status, "") != "published"
    )
    where = (
        QuestionRecord.created_at >= start,
        QuestionRecord.created_at < end,
        or_(routed, down),
        # a moderator's ❓ under a gap re-asks it: not one more asker of the gap
        QuestionRecord.message_id.not_like(f"{ASKED_FROM_GAP}%"),
    )
    joined = (
        select(func.count())
        .select_from(QuestionRecord)
        .outerjoin(RoutingRecord, RoutingRecord.question_id == QuestionRecord.id)
        .where(*where)
    )
    total = int(s.scalar(joined) or 0)
    rows = s.execute(
        with_asker(
            select(
                QuestionRecord.id,
                QuestionRecord.text,
                asker(),
                QuestionRecord.created_at,
                QuestionRecord.status,
                RoutingRecord.question_id.is_not(None),
                down,
                QuestionRecord.user_name,
            ).select_from(QuestionRecord)
        )
        .outerjoin(RoutingRecord, RoutingRecord.question_id == QuestionRecord.id)
        .where(*where)
        .order_by(QuestionRecord.created_at.desc(), QuestionRecord.id.desc())
        .limit(limit)
    ).all()
    return list(rows), total


def quoted(text: str, asker_name: str = "") -> str:
    """A member's question as the report may show it: anonymised (bot/privacy/paraphrase.py: no
    contact details, numbers, the asker's names, places or other names). The group has 5 askers or
    more, but its representative is one person's words."""
    return anonymise(text, [asker_name] if asker_name else [])


def meaning(text: str) -> str:
    """What is embedded of a question: its content words without the gazetteer's place names."""
    gazetteer = places()
    words = [w for w in T.content_words(text) if w not in gazetteer]
    return " ".join(words) or text


def group(vectors: np.ndarray, similar: float = SIMILAR) -> list[list[int]]:
    """Greedy grouping of unit vectors: the densest unassigned row founds a group (founder first)."""
    n = len(vectors)
    if n == 0:
        return []
    near = (vectors @ vectors.T) >= similar
    density = near.sum(axis=1)
    free = np.ones(n, dtype=bool)
    groups: list[list[int]] = []
    for i in np.argsort(-density, kind="stable").tolist():  # ties: the latest question (row order)
        if not free[i]:
            continue
        members = [i] + [int(j) for j in np.flatnonzero(near[i] & free) if j != i]
        free[members] = False
        groups.append(members)
    return groups


ZWJ = "\u200d"


def _joins(ch: str) -> bool:
    """A character that belongs to the one before it: a combining mark, a variation selector, a
    skin tone, an emoji tag or a zero-width joiner."""
    return (
        unicodedata.category(ch) in ("Mn", "Me", "Cf")
        or "\ufe00" <= ch <= "\ufe0f"
        or "\U0001f3fb" <= ch <= "\U0001f3ff"
        or "\U000e0020" <= ch <= "\U000e007f"
    )


def _flag(ch: str) -> bool:
    return "\U0001f1e6" <= ch <= "\U0001f1ff"


def _boundary(line: str, at: int) -> bool:
    """Whether `line` can be cut before index `at` without splitting what a reader sees as one
    character (an accented letter, an emoji with its skin tone or joined emoji, a flag)."""
    if at <= 0 or at >= len(line):
        return True
    if _joins(line[at]) or line[at - 1] == ZWJ:
        return False
    if _flag(line[at]) and _flag(line[at - 1]):
        run = 0
        while at - run - 1 >= 0 and _flag(line[at - run - 1]):
            run += 1
        return run % 2 == 0
    return True


def clip(text: str, limit: int = MAX_QUOTE) -> str:
    """One line of at most `limit` characters, cut (with …) between whole characters."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    at = limit - 1
    while at > 1 and not _boundary(line, at):
        at -= 1
    return line[:at].rstrip() + "…"


def find_gaps(
    sessions: sessionmaker[Session],
    start: datetime,
    end: datetime,
    tz: str,
    embed: Embed | None = None,
    sample: int = GAP_SAMPLE,
    max_gaps: int = MAX_GAPS,
) -> Gaps:
    """The knowledge gaps of the questions asked between `start` and `end` (naive UTC)."""
    with sessions() as s:
        rows, total = _candidates(s, start, end, sample)
    if not rows:
        return Gaps((), 0, 0, total, 0)
    texts = [meaning(r[1]) for r in rows]
    vectors = (embed or bundled_embed)(texts)
    where = zone(tz)
    found: list[Gap] = []
    hidden = 0
    for members in group(np.asarray(vectors, dtype=np.float32)):
        if len(members) < 2:
            continue  # asked once: not a question that comes back
        picked = [rows[i] for i in members]
        askers = len({r[2] for r in picked})
        if askers < MIN_GROUP:
            hidden += 1
            continue
        head = picked[0]
        last = max(r[3] for r in picked).replace(tzinfo=UTC).astimezone(where).date()
        found.append(
            Gap(
                question_id=int(head[0]),
                question=clip(quoted(head[1], head[7])),
                questions=len(picked),
                askers=askers,
                routed=sum(1 for r in picked if r[5]),
                not_helpful=sum(1 for r in picked if r[6]),
                expired=sum(1 for r in picked if r[4] == EXPIRED),
                last_day=last.isoformat(),
                themes=tuple(question_themes(head[1])[:3]),
            )
        )
    found.sort(key=lambda g: g.last_day, reverse=True)  # ties: the most recent first
    found.sort(key=lambda g: (-g.questions, -g.askers))
    return Gaps(tuple(found[:max_gaps]), hidden, max(0, len(found) - max_gaps), total, len(rows))
