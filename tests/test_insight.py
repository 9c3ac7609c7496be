"""The moderators' report on a synthetic month: every golden figure is counted here, from the rows
the test writes, never by the code under test; the charts are real PNGs; the CSV hides who asked."""

from __future__ import annotations

import random
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from bot.conversations.records import (
    ANSWERED,
    CLAIMED,
    EXPERT_ANSWERED,
    EXPIRED,
    RESOLVED,
    ROUTED,
    FeedbackRecord,
    QuestionRecord,
)
from bot.experts.records import ExpertRecord, RoutingRecord
from bot.highlights.compose import question_themes
from bot.insight.figures import MIN_GROUP, compute
from bot.insight.report import Reports
from storage.db import open_database

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 2, 10, 0)  # Wednesday of 2026-W49: the report covers W45..W48
START = datetime(2026, 11, 1, 23, 0)  # Monday 2 November 00:00 in Amsterdam (CET), as naive UTC
END = datetime(2026, 11, 29, 23, 0)  # Monday 30 November 00:00 in Amsterdam
WEEKS = ("2026-W45", "2026-W46", "2026-W47", "2026-W48")

# What members ask (bot-answered), with the themes the highlights' detection gives them (checked).
EVERYDAY = {
    "Welk fonds betaalt een theaterproject met jongeren in {town}?": ("financiering", "jongeren", "theater"),
    "Hoe vind ik een koor voor mijn moeder met dementie in {town}?": ("dementie", "muziek"),
    "Waar vind ik subsidie voor kunst op recept?": ("financiering", "kunst op recept"),
    "How do I fund a dance project for older people?": ("financiering", "ouderen", "dans"),
    "Waar huur ik een piano?": ("muziek",),
    "Hoe schrijf ik een projectplan?": (),
}
# A knowledge gap that comes back often (12×, 8 askers), one less often (7×, 6 askers), one from two
# people only (4×: never shown), and questions asked once.
GAP_A = "Welke verzekering heb ik nodig als kunstenaar in de wijkzorg in {town}?"
GAP_B = "Hoe meet ik het effect van een museumbezoek op eenzaamheid bij ouderen?"
GAP_C = "Mag ik foto's van deelnemers op onze website zetten?"
ONCE = (
    "Wie repareert een kapotte beamer in het buurthuis?",
    "Kan een clown op bezoek komen in het hospice?",
    "Waar koop ik goedkope klei voor een workshop?",
)
THEMES = {
    GAP_A: ("wijkgericht",),
    GAP_B: ("onderzoek", "ouderen", "eenzaamheid", "erfgoed"),
    GAP_C: ("communicatie", "participatie", "film"),
}
TOWNS = ("Utrecht", "Zwolle", "Leiden", "Arnhem")


@dataclass
class Month:
    """The rows written, as plain dicts (the test's own truth)."""

    questions: list[dict] = field(default_factory=list)
    routings: list[dict] = field(default_factory=list)
    votes: list[dict] = field(default_factory=list)
    experts: int = 0


def local_week(at: datetime) -> str:
    local = at.replace(tzinfo=UTC).astimezone(AMS)
    year, number, _ = local.isocalendar()
    return f"{year}-W{number:02d}"


def synthetic_month(experts: int = 6, seed: int = 49) -> Month:
    rng = random.Random(seed)
    m = Month(experts=experts)

    def ask(
        text: str, user: str, at: datetime, fate: str, themes: tuple[str, ...] = (), kb: str = ""
    ) -> None:
        qid = len(m.questions) + 1
        status = {"bot": ANSWERED, "expired": EXPIRED, "claimed": CLAIMED, "routed": ROUTED}.get(
            fate, ANSWERED
        )
        if fate in ("expert", "resolved"):
            status = EXPERT_ANSWERED if fate == "expert" else RESOLVED
        m.questions.append(
            {
                "id": qid,
                "platform": "telegram" if user.isdigit() else "slack",
                "chat_id": f"chat-{user}",
                "message_id": f"m{qid}",
                "user_id": user,
                "user_name": f"Naam {user}",
                "text": text,
                "context": text,
                "language": "nl",
                "answer": "",
                "sources": [],
                "routed": fate != "bot",
                "status": status,
                "parent_id": None,
                "created_at": at,
                "updated_at": at,
                "thread_id": None,
                "themes": themes,
            }
        )
        if fate != "bot":
            e = rng.randrange(1, experts + 1)
            claim = (
                at + timedelta(hours=rng.uniform(0.2, 30))
                if fate in ("claimed", "expert", "resolved")
                else None
            )
            answer = (
                claim + timedelta(hours=rng.uniform(0.5, 60))
                if fate in ("expert", "resolved") and claim
                else None
            )
            m.routings.append(
                {
                    "question_id": qid,
                    "stage": 0,
                    "routed_at": at,
                    "claimed_at": claim,
                    "claimed_by": e if claim else None,
                    "answered_at": answer,
                    "answered_by": e if answer else None,
                    "answer": "",
                    "kb_status": "",
                    "kb_path": "",
                    "claim_reminded": False,
                    "version": 0,
                }
            )
        elif rng.random() < 0.5:
            m.votes.append(
                {
                    "question_id": qid,
                    "user_id": f"voter{qid}",
                    "value": "not_helpful" if rng.random() < 0.3 else "helpful",
                    "at": at,
                }
            )

    def moment() -> datetime:
        return START + timedelta(seconds=rng.uniform(0, (END - START).total_seconds()))

    users = [str(100 + i) for i in range(20)] + [f"U{i:03d}" for i in range(20)]
    for _ in range(260):
        text = rng.choice(list(EVERYDAY))
        ask(text.format(town=rng.choice(TOWNS)), rng.choice(users), moment(), "bot", EVERYDAY[text])
    fates = ("expert", "resolved", "expired", "claimed", "routed")
    for i in range(12):
        ask(GAP_A.format(town=TOWNS[i % 4]), users[i % 8], moment(), fates[i % 5], THEMES[GAP_A])
    for i in range(7):
        ask(GAP_B, users[10 + i % 6], moment(), fates[(i + 1) % 5], THEMES[GAP_B])
    for i in range(4):
        ask(GAP_C, users[30 + i % 2], moment(), "expired", THEMES[GAP_C])
    for i, text in enumerate(ONCE):
        ask(text, users[20 + i], moment(), fates[i], tuple(question_themes(text)))
    for i in range(30):  # answered by experts, now in the knowledge base: no gap any more
        ask("Hoe schrijf ik een projectplan?", users[i % 40], moment(), "expert", (), kb="published")
    # On the edges: the first moment of the period counts, the first moment after it does not.
    ask("Hoe schrijf ik een projectplan?", "999", START, "bot", ())
    ask("Hoe schrijf ik een projectplan?", "999", END, "bot", ())
    ask("Hoe schrijf ik een projectplan?", "998", START - timedelta(seconds=1), "expert", ())
    return m


def write(sessions: sessionmaker[Session], m: Month) -> None:
    with sessions.begin() as s:
        s.execute(
            insert(ExpertRecord),
            [
                {
                    "id": i,
                    "name": f"Expert Naam {i}",
                    "slack_user_id": f"UEXP{i}",
                    "expertise": "",
                    "tags": [],
                    "sectors": [],
                    "regions": [],
                    "languages": ["nl"],
                    "capacity": 5,
                    "moderator": False,
                    "active": True,
                    "created_at": START - timedelta(days=30),
                }
                for i in range(1, m.experts + 1)
            ],
        )
        s.execute(
            insert(QuestionRecord), [{k: v for k, v in q.items() if k != "themes"} for q in m.questions]
        )
        if m.routings:
            s.execute(insert(RoutingRecord), m.routings)
        if m.votes:
            s.execute(insert(FeedbackRecord), m.votes)


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    return open_database(f"sqlite:///{tmp_path / 'insight.db'}")


def p90(values: list[float]) -> float:
    """The nearest-rank 90th percentile, by numpy (an independent implementation)."""
    return float(np.percentile(values, 90, method="inverted_cdf"))


def golden(m: Month) -> dict:
    """Everything the report should say, counted from the test's own rows."""
    routing = {r["question_id"]: r for r in m.routings}
    weeks: dict[str, Counter] = {w: Counter() for w in WEEKS}
    claims: dict[str, list[float]] = defaultdict(list)
    answers: dict[str, list[float]] = defaultdict(list)
    askers: dict[str, set] = defaultdict(set)
    inside = [q for q in m.questions if START <= q["created_at"] < END]
    for q in inside:
        w = local_week(q["created_at"])
        r = routing.get(q["id"])
        if r is not None and r["answered_at"] is not None:
            outcome = "expert"
        elif q["status"] == EXPIRED:
            outcome = "expired"
        elif q["status"] == ANSWERED:
            outcome = "bot"
        else:
            outcome = "open"
        weeks[w]["asked"] += 1
        weeks[w][outcome] += 1
        askers[w].add((q["platform"], q["user_id"]))
    ids = {q["id"]: q for q in inside}
    for v in m.votes:
        if v["question_id"] in ids:
            weeks[local_week(ids[v["question_id"]]["created_at"])][v["value"]] += 1
    for r in m.routings:
        if START <= r["routed_at"] < END:
            w = local_week(r["routed_at"])
            weeks[w]["routed"] += 1
            if r["claimed_at"]:
                claims[w].append((r["claimed_at"] - r["routed_at"]).total_seconds() / 3600)
            if r["answered_at"]:
                answers[w].append((r["answered_at"] - r["routed_at"]).total_seconds() / 3600)
    topic_q: Counter = Counter()
    topic_people: dict[str, set] = defaultdict(set)
    for q in inside:
        for theme in q["themes"]:
            topic_q[theme] += 1
            topic_people[theme].add((q["platform"], q["user_id"]))
    shown = sorted(
        ((th, n) for th, n in topic_q.items() if len(topic_people[th]) >= MIN_GROUP),
        key=lambda x: (-x[1], x[0]),
    )
    return {
        "weeks": weeks,
        "askers": {w: len(a) for w, a in askers.items()},
        "all_askers": len({(q["platform"], q["user_id"]) for q in inside}),
        "claims": claims,
        "answers": answers,
        "topics": [(th, n, len(topic_people[th])) for th, n in shown[:5]],
        "topics_hidden": sum(1 for th in topic_q if len(topic_people[th]) < MIN_GROUP),
        "inside": inside,
    }


def test_the_themes_the_test_assumes_are_the_detected_ones() -> None:
    for text, themes in {**EVERYDAY, **THEMES}.items():
        assert tuple(question_themes(text.format(town="Zwolle"))) == themes, text


def test_the_figures_of_a_synthetic_month_match_the_ones_counted_here(
    sessions: sessionmaker[Session],
) -> None:
    m = synthetic_month()
    write(sessions, m)
    g = golden(m)
    f = compute(sessions, 4, clock=lambda: NOW)
    assert f.weeks == WEEKS and (f.first_day, f.last_day) == ("2026-11-02", "2026-11-29")
    for week in f.per_week:
        want = g["weeks"][week.week]
        assert (week.asked, week.bot, week.expert, week.expired, week.open) == (
            want["asked"],
            want["bot"],
            want["expert"],
            want["expired"],
            want["open"],
        ), week.week
        assert (week.helpful, week.not_helpful, week.routed) == (
            want["helpful"],
            want["not_helpful"],
            want["routed"],
        )
        assert week.askers == g["askers"][week.week]
        claims, answers = g["claims"][week.week], g["answers"][week.week]
        assert week.claim.n == len(claims) and week.answer.n == len(answers)
        assert week.claim.median == pytest.approx(statistics.median(claims))
        assert week.answer.p90 == pytest.approx(p90(answers))
    every_claim = [h for w in WEEKS for h in g["claims"][w]]
    every_answer = [h for w in WEEKS for h in g["answers"][w]]
    assert f.claim.median == pytest.approx(statistics.median(every_claim))
    assert f.claim.p90 == pytest.approx(p90(every_claim))
    assert f.answer.median == pytest.approx(statistics.median(every_answer))
    assert f.answer.p90 == pytest.approx(p90(every_answer))
    assert f.asked == len(g["inside"]) and f.askers == g["all_askers"]
    assert [(x.theme, x.questions, x.askers) for x in f.topics] == g["topics"]
    assert f.topics_hidden == g["topics_hidden"]
    assert f.experts_active == m.experts and len(f.experts) == m.experts  # 6 experts: shown, by pseudonym
    assert not any("Naam" in e.expert or e.expert.isdigit() for e in f.experts)


def test_the_rendered_report_says_the_golden_figures(sessions: sessionmaker[Session]) -> None:
    m = synthetic_month()
    write(sessions, m)
    g = golden(m)
    report = Reports(sessions, clock=lambda: NOW).build(4)
    text = report.text("nl")
    total = Counter()
    for w in WEEKS:
        total.update(g["weeks"][w])
    n = total["asked"]
    assert f"Vragen: {n} van {g['all_askers']} vragenstellers" in text
    pct = {k: f"{(200 * total[k] + n) // (2 * n)}%" for k in ("bot", "expert", "expired", "open")}
    assert (
        f"Beantwoord door de bot {pct['bot']} · door experts {pct['expert']} · verlopen {pct['expired']}"
        f" · nog open {pct['open']}"
    ) in text
    up, down = total["helpful"], total["not_helpful"]
    assert f"Feedback: 👍 {up} · 👎 {down} ({(200 * up + up + down) // (2 * (up + down))}% nuttig)" in text
    assert f"Verlopen zonder antwoord: {total['expired']}" in text
    w45 = g["weeks"]["2026-W45"]
    assert f"2026-W45: {w45['asked']} vragen · bot {w45['bot']} · experts {w45['expert']}" in text
    assert "Rapport voor moderators: 2 november – 29 november 2026 (4 weken: 2026-W45 – 2026-W48)" in text
    assert "Naam" not in text and "UEXP" not in text  # no names, no raw ids


def family(text: str) -> str:
    """A question without its town: the wordings the test means as one question."""
    for town in TOWNS:
        text = text.replace(f" in {town}?", "?")
    return text


def test_knowledge_gaps_are_the_questions_that_come_back_from_five_people_or_more(
    sessions: sessionmaker[Session],
) -> None:
    m = synthetic_month()
    write(sessions, m)
    report = Reports(sessions, clock=lambda: NOW).build(4)
    gaps = report.gaps
    # The gaps counted here: routed (and not since published) or 👎 questions of the period, by family.
    routed = {r["question_id"] for r in m.routings if r["kb_status"] != "published"}
    down = {v["question_id"] for v in m.votes if v["value"] == "not_helpful"}
    families: dict[str, list[dict]] = defaultdict(list)
    for q in m.questions:
        if START <= q["created_at"] < END and (q["id"] in routed or q["id"] in down):
            families[family(q["text"])].append(q)
    people = {k: len({(q["platform"], q["user_id"]) for q in v}) for k, v in families.items()}
    shown = sorted(
        (k for k, v in families.items() if len(v) >= 2 and people[k] >= MIN_GROUP),
        key=lambda k: (-len(families[k]), -people[k]),
    )
    assert gaps.candidates == sum(len(v) for v in families.values())
    by_id = {q["id"]: q for q in m.questions}
    assert [(family(by_id[x.question_id]["text"]), x.questions, x.askers) for x in gaps.gaps] == [
        (k, len(families[k]), people[k]) for k in shown[:5]
    ]
    assert gaps.more == len(shown) - 5
    assert gaps.hidden == sum(1 for k, v in families.items() if len(v) >= 2 and people[k] < MIN_GROUP)
    a = next(x for x in gaps.gaps if by_id[x.question_id]["text"].startswith("Welke verzekering"))
    assert (a.questions, a.askers, a.routed) == (12, 8, 12)
    assert a.expired == sum(
        1 for q in families[family(GAP_A.format(town="Zwolle"))] if q["status"] == EXPIRED
    )
    # The photo question came back four times, from two people: never a line of its own.
    assert all(by_id[x.question_id]["text"] != GAP_C for x in gaps.gaps)
    text = report.text("nl")
    assert "12× van 8 mensen" in text and GAP_C not in text
    assert "/expert " in report.text("nl", how=True) and "/tip " in report.text("nl", how=True)
