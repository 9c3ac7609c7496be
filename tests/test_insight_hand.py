"""A month small enough to count on paper: every printed figure of the report is written out here
by hand (not computed), with questions on both sides of the week boundary at the end of October,
when Amsterdam goes from summer time (UTC+2) to winter time (UTC+1) on Sunday 25 October 2026."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from bot.conversations.records import (
    ANSWERED,
    CLAIMED,
    EXPERT_ANSWERED,
    EXPIRED,
    FeedbackRecord,
    QuestionRecord,
)
from bot.experts.records import ExpertRecord, RoutingRecord
from bot.insight.figures import compute
from bot.insight.render import percent
from bot.insight.report import Reports
from storage.db import open_database

NOW = datetime(2026, 11, 4, 10, 0)  # Wednesday of W45: two weeks back are W43 and W44
H = timedelta(hours=1)


def q(
    qid: int,
    at: datetime,
    status: str,
    user: str,
    claim: float | None = None,
    answer: float | None = None,
    routed: bool = False,
    votes: tuple[str, ...] = (),
    expert: int = 1,
) -> tuple[dict, dict | None, list[dict]]:
    question = {
        "id": qid,
        "platform": "telegram",
        "chat_id": user,
        "message_id": f"m{qid}",
        "user_id": user,
        "user_name": "",
        "text": f"vraag {qid}",
        "context": "",
        "language": "nl",
        "answer": "",
        "sources": [],
        "routed": routed,
        "status": status,
        "parent_id": None,
        "created_at": at,
        "updated_at": at,
        "thread_id": None,
    }
    routing = (
        {
            "question_id": qid,
            "stage": 0,
            "routed_at": at,
            "claimed_at": at + claim * H if claim is not None else None,
            "claimed_by": expert if claim is not None else None,
            "answered_at": at + answer * H if answer is not None else None,
            "answered_by": expert if answer is not None else None,
            "answer": "",
            "kb_status": "",
            "kb_path": "",
            "claim_reminded": False,
            "version": 0,
        }
        if routed
        else None
    )
    fb = [{"question_id": qid, "user_id": f"v{qid}-{i}", "value": v, "at": at} for i, v in enumerate(votes)]
    return question, routing, fb


UP, DOWN = "helpful", "not_helpful"
ROWS = [
    # W42: Sunday 18 October 23:59 summer time, one minute before W43 begins: outside
    q(1, datetime(2026, 10, 18, 21, 59), ANSWERED, "1"),
    # W43 begins Monday 19 October 00:00 CEST = 18 October 22:00 UTC
    q(2, datetime(2026, 10, 18, 22, 0), ANSWERED, "2", votes=(UP,)),
    q(11, datetime(2026, 10, 20, 12, 0), ANSWERED, "2"),
    # Sunday 25 October 23:30 CET (winter time already): still W43, though UTC+2 would say Monday
    q(3, datetime(2026, 10, 25, 22, 30), EXPERT_ANSWERED, "3", claim=1, answer=3, routed=True, votes=(UP,)),
    q(5, datetime(2026, 10, 25, 22, 59, 59), EXPIRED, "4", routed=True),
    # W44 begins Monday 26 October 00:00 CET = 25 October 23:00 UTC
    q(4, datetime(2026, 10, 25, 23, 0), EXPERT_ANSWERED, "5", claim=2, answer=5, routed=True),
    q(6, datetime(2026, 10, 27, 10, 0), ANSWERED, "6", votes=(DOWN,)),
    q(7, datetime(2026, 10, 28, 10, 0), CLAIMED, "7", claim=0.5, routed=True),
    q(8, datetime(2026, 10, 29, 10, 0), EXPERT_ANSWERED, "3", claim=4, answer=10, routed=True),
    q(9, datetime(2026, 11, 1, 22, 59), ANSWERED, "8", votes=(UP, DOWN)),
    # W45 begins Monday 2 November 00:00 CET = 1 November 23:00 UTC: outside
    q(10, datetime(2026, 11, 1, 23, 0), ANSWERED, "9", votes=(DOWN,)),
]


def fill(sessions: sessionmaker[Session], rows: list, experts: int) -> None:
    with sessions.begin() as s:
        s.execute(
            insert(ExpertRecord),
            [
                {
                    "id": i,
                    "name": f"E{i}",
                    "slack_user_id": f"UE{i}",
                    "expertise": "",
                    "tags": [],
                    "sectors": [],
                    "regions": [],
                    "languages": ["nl"],
                    "capacity": 5,
                    "moderator": False,
                    "active": True,
                    "created_at": datetime(2026, 1, 1),
                }
                for i in range(1, experts + 1)
            ],
        )
        s.execute(insert(QuestionRecord), [r[0] for r in rows])
        s.execute(insert(RoutingRecord), [r[1] for r in rows if r[1]])
        s.execute(insert(FeedbackRecord), [v for r in rows for v in r[2]])


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    made = open_database(f"sqlite:///{tmp_path / 'hand.db'}")
    fill(made, ROWS, 1)  # one expert did all the expert work
    return made


def test_the_weeks_around_the_end_of_summer_time_by_hand(sessions: sessionmaker[Session]) -> None:
    f = compute(sessions, 2, clock=lambda: NOW)
    assert f.weeks == ("2026-W43", "2026-W44") and (f.first_day, f.last_day) == ("2026-10-19", "2026-11-01")
    w43, w44 = f.per_week
    assert (w43.asked, w43.bot, w43.expert, w43.expired, w43.open) == (4, 2, 1, 1, 0)
    assert (w44.asked, w44.bot, w44.expert, w44.expired, w44.open) == (5, 2, 2, 0, 1)
    assert (w43.helpful, w43.not_helpful, w44.helpful, w44.not_helpful) == (2, 0, 1, 2)
    assert (w43.routed, w44.routed) == (2, 3)
    assert (w43.askers, w44.askers, f.askers) == (3, 5, 7)  # asker 3 asked in both weeks
    assert (w43.claim.n, w43.claim.median, w43.claim.p90) == (1, 1.0, 1.0)
    assert (w44.claim.n, w44.claim.median, w44.claim.p90) == (3, 2.0, 4.0)
    # claims 0.5, 1, 2, 4: median the mean of the middle two; p90 the nearest rank ceil(0.9 * 4) = 4th
    assert (f.claim.n, f.claim.median, f.claim.p90) == (4, 1.5, 4.0)
    assert (f.answer.n, f.answer.median, f.answer.p90) == (3, 5.0, 10.0)


def test_the_printed_report_by_hand(sessions: sessionmaker[Session]) -> None:
    text = Reports(sessions, clock=lambda: NOW, embed=lambda xs: np.eye(len(xs))).build(2).text()
    lines = text.splitlines()
    assert lines[0] == "Rapport voor moderators: 19 oktober – 1 november 2026 (2 weken: 2026-W43 – 2026-W44)"
    assert "Vragen: 9 van 7 vragenstellers" in lines
    # 4/9 = 44.4%, 3/9 = 33.3%, 1/9 = 11.1%, 1/9 = 11.1%
    assert "Beantwoord door de bot 44% · door experts 33% · verlopen 11% · nog open 11%" in lines
    assert "Feedback: 👍 3 · 👎 2 (60% nuttig)" in lines
    # One expert: their times are theirs, so none is shown (the counts are)
    assert (
        "Naar experts: 5 vragen; opgepakt na – (mediaan, p90 –), beantwoord na – (mediaan, p90 –)"
        " (– : tijden van minder dan 5 experts niet getoond)"
    ) in lines
    assert "Verlopen zonder antwoord: 1" in lines
    assert "  2026-W43: 4 vragen · bot 2 · experts 1 · verlopen 1 · open 0 · 👍 2 👎 0" in lines
    assert "  2026-W44: 5 vragen · bot 2 · experts 2 · verlopen 0 · open 1 · 👍 1 👎 2" in lines


@pytest.mark.parametrize(
    ("part", "whole", "shown"), [(1, 8, "13%"), (5, 8, "63%"), (1, 200, "1%"), (1, 3, "33%")]
)
def test_a_half_percent_rounds_up_as_people_round(part: int, whole: int, shown: str) -> None:
    assert percent(part, whole, "nl") == shown


def test_the_experts_times_by_hand_when_five_experts_did_the_work(tmp_path: Path) -> None:
    # The same month, the expert work spread over five experts, and two more answered questions.
    spread = {3: 1, 4: 2, 7: 3, 8: 4}
    rows = [
        q(
            r[0]["id"],
            r[0]["created_at"],
            r[0]["status"],
            r[0]["user_id"],
            claim=(r[1]["claimed_at"] - r[1]["routed_at"]) / H if r[1] and r[1]["claimed_at"] else None,
            answer=(r[1]["answered_at"] - r[1]["routed_at"]) / H if r[1] and r[1]["answered_at"] else None,
            routed=r[1] is not None,
            votes=tuple(v["value"] for v in r[2]),
            expert=spread.get(r[0]["id"], 1),
        )
        for r in ROWS
    ]
    rows.append(
        q(12, datetime(2026, 10, 30, 9, 0), EXPERT_ANSWERED, "20", claim=6, answer=12, routed=True, expert=5)
    )
    rows.append(
        q(
            13,
            datetime(2026, 10, 31, 9, 0),
            EXPERT_ANSWERED,
            "21",
            claim=0.25,
            answer=1,
            routed=True,
            expert=3,
        )
    )
    sessions = open_database(f"sqlite:///{tmp_path / 'five.db'}")
    fill(sessions, rows, 5)
    f = compute(sessions, 2, clock=lambda: NOW)
    # claims 0.25, 0.5, 1, 2, 4, 6 by experts 3, 3, 1, 2, 4, 5: median (1 + 2) / 2, p90 the 6th
    assert (f.claim.n, f.claim.median, f.claim.p90, f.claim.experts) == (6, 1.5, 6.0, 5)
    # answers 1, 3, 5, 10, 12 by experts 3, 1, 2, 4, 5: median the 3rd, p90 the ceil(4.5) = 5th
    assert (f.answer.n, f.answer.median, f.answer.p90, f.answer.experts) == (5, 5.0, 12.0, 5)
    w43, w44 = f.per_week
    assert (w43.claim.experts, w44.claim.experts) == (1, 4) and not w43.claim.shown and not w44.claim.shown
    text = Reports(sessions, clock=lambda: NOW, embed=lambda xs: np.eye(len(xs))).build(2).text()
    assert (
        "Naar experts: 7 vragen; opgepakt na 1,5 uur (mediaan, p90 6,0 uur), "
        "beantwoord na 5,0 uur (mediaan, p90 12,0 uur)"
    ) in text.splitlines()
