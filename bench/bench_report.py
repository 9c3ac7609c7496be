"""Times the moderators' report on a large synthetic database (issue 15).

Fills a fresh SQLite database with N questions (default 100,000) spread over the last five weeks,
with routings (claims, answers, expiries), 👍/👎 votes and experts, by bulk inserts (a few seconds),
then times `verbinder report --weeks 4 --out DIR` as a subprocess (what a moderator runs), and the
parts in-process: the SQL figures, the gap grouping, the charts and the CSV.

    python bench/bench_report.py [--questions 100000] [--weeks 4] [--data /tmp/report-bench]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.conversations.records import (  # noqa: E402
    ANSWERED,
    CLAIMED,
    EXPERT_ANSWERED,
    EXPIRED,
    RESOLVED,
    ROUTED,
    FeedbackRecord,
    QuestionRecord,
)
from bot.experts.records import ExpertRecord, RoutingRecord  # noqa: E402
from bot.messages import HELPFUL, NOT_HELPFUL  # noqa: E402
from storage.db import open_database, utcnow  # noqa: E402

# Questions that keep coming back (knowledge gaps), each in a few wordings, and everyday ones.
GAPS = (
    (
        "Welk fonds betaalt een theaterproject met jongeren in {town}?",
        "Welke subsidie is er voor theater met jongeren in {town}?",
        "Hoe financier ik een jongerentheaterproject in {town}?",
    ),
    (
        "Is er een koor voor mensen met dementie in {town}?",
        "Waar kan mijn moeder met dementie zingen in {town}?",
        "Zangkoor voor ouderen met dementie in {town}?",
    ),
    (
        "Hoe meet ik het effect van kunst op recept?",
        "Welk onderzoek toont het effect van kunst op recept aan?",
        "Hoe evalueer ik een kunst op recept traject?",
    ),
    (
        "Hoe vind ik vrijwilligers voor een muziekproject in het verpleeghuis?",
        "Waar werf ik vrijwilligers voor muziek in de zorg?",
        "Vrijwilligers gezocht voor zingen in een verpleeghuis, hoe?",
    ),
    (
        "Welke verzekering heb ik nodig als kunstenaar in de wijkzorg?",
        "Ben ik verzekerd als kunstenaar die in een zorginstelling werkt?",
        "Aansprakelijkheidsverzekering voor kunstenaars in de zorg?",
    ),
)
EVERYDAY = (
    "Wat is sociaal-artistiek werk?",
    "Waar vind ik dansles voor ouderen in {town}?",
    "Hoe begin ik een schilderclub tegen eenzaamheid in {town}?",
    "Welke musea hebben rondleidingen voor mensen met een beperking?",
    "Hoe werkt een cultuurcoach in {town}?",
    "Wat kost een workshop beeldende kunst voor nieuwkomers?",
    "Hoe betrek ik mantelzorgers bij een theaterproject?",
    "Is er een filmhuis met ontspannen voorstellingen in {town}?",
)
TOWNS = ("Utrecht", "Zwolle", "Groningen", "Rotterdam", "Arnhem", "Tilburg", "Leiden", "Almere")


def fill(sessions: sessionmaker[Session], n: int, now: datetime, seed: int = 15) -> dict[str, int]:
    """Bulk-insert n questions over the 35 days before `now`, with routings, votes and experts."""
    rng = random.Random(seed)
    with sessions.begin() as s:
        s.execute(
            insert(ExpertRecord),
            [
                {
                    "name": f"Expert {i}",
                    "slack_user_id": f"UX{i:03d}",
                    "expertise": "",
                    "tags": [],
                    "sectors": [],
                    "regions": [],
                    "languages": ["nl"],
                    "capacity": 5,
                    "moderator": False,
                    "active": True,
                    "created_at": now - timedelta(days=400),
                }
                for i in range(12)
            ],
        )
    questions: list[dict[str, Any]] = []
    routings: list[dict[str, Any]] = []
    votes: list[dict[str, Any]] = []
    counts = {"questions": n, "routings": 0, "votes": 0}
    for qid in range(1, n + 1):
        at = now - timedelta(seconds=rng.uniform(0, 35 * 86400))
        gap = rng.random() < 0.3
        pool = rng.choice(GAPS) if gap else EVERYDAY
        text = rng.choice(pool).format(town=rng.choice(TOWNS))
        routed = gap or rng.random() < 0.1
        status = ROUTED if routed else ANSWERED
        user = f"{rng.randrange(4000)}"
        if routed:
            r: dict[str, Any] = {
                "question_id": qid,
                "stage": 0,
                "routed_at": at,
                "claimed_at": None,
                "claimed_by": None,
                "answered_at": None,
                "answered_by": None,
                "answer": "",
                "kb_status": "",
                "kb_path": "",
                "claim_reminded": False,
                "version": 0,
            }
            fate = rng.random()
            if fate < 0.7:
                e = rng.randrange(1, 13)
                r["claimed_at"] = at + timedelta(hours=rng.expovariate(1 / 6))
                r["claimed_by"] = e
                if fate < 0.55:
                    r["answered_at"] = r["claimed_at"] + timedelta(hours=rng.expovariate(1 / 12))
                    r["answered_by"] = e
                    status = RESOLVED if rng.random() < 0.3 else EXPERT_ANSWERED
                else:
                    status = CLAIMED
            elif fate < 0.85:
                status = EXPIRED
            routings.append(r)
        elif rng.random() < 0.35:
            value = NOT_HELPFUL if rng.random() < 0.25 else HELPFUL
            votes.append(
                {"question_id": qid, "user_id": user, "value": value, "at": at + timedelta(minutes=2)}
            )
        questions.append(
            {
                "id": qid,
                "platform": rng.choice(("slack", "telegram")),
                "chat_id": f"C{user}",
                "thread_id": None,
                "message_id": str(qid),
                "user_id": user,
                "user_name": f"Lid {user}",
                "text": text,
                "context": text,
                "language": "nl",
                "answer": "",
                "sources": [],
                "routed": routed,
                "status": status,
                "parent_id": None,
                "created_at": at,
                "updated_at": at,
            }
        )
    for table, rows in ((QuestionRecord, questions), (RoutingRecord, routings), (FeedbackRecord, votes)):
        for i in range(0, len(rows), 5000):
            with sessions.begin() as s:
                s.execute(insert(table), rows[i : i + 5000])
    counts["routings"], counts["votes"] = len(routings), len(votes)
    return counts


def main() -> None:
    """Fill, time, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--data", type=Path, default=None, help="data directory (default: a temporary one)")
    args = parser.parse_args()
    data = args.data or Path(tempfile.mkdtemp(prefix="report-bench-"))
    data.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{(data / 'verbinder.db').resolve()}"
    sessions = open_database(url)
    t0 = time.perf_counter()
    counts = fill(sessions, args.questions, utcnow())
    print(f"filled {counts} in {time.perf_counter() - t0:.1f} s ({data})")

    from bot.insight.figures import bounds, compute
    from bot.insight.gaps import bundled_embed, find_gaps
    from bot.insight.report import Reports

    bundled_embed(["warm"])  # the model loads once per process; the CLI run below pays it itself
    reports = Reports(sessions)
    t = time.perf_counter()
    f = compute(sessions, args.weeks)
    t_fig = time.perf_counter() - t
    edges = bounds(f.weeks, reports.tz)
    t = time.perf_counter()
    g = find_gaps(sessions, edges[0], edges[-1], reports.tz)
    t_gaps = time.perf_counter() - t
    from bot.insight.report import Report

    built = Report(f, g)
    t = time.perf_counter()
    built.charts()
    t_charts = time.perf_counter() - t
    t = time.perf_counter()
    _, rows = reports.csv(f)
    t_csv = time.perf_counter() - t
    print(
        f"in-process: figures {t_fig:.2f} s, gaps {t_gaps:.2f} s ({g.sampled} of {g.candidates} grouped), "
        f"charts {t_charts:.2f} s, CSV {t_csv:.2f} s ({rows} rows)"
    )

    env = {**os.environ, "VERBINDER_DATA_DIR": str(data), "VERBINDER_SAMPLE_KB": "false"}
    verbinder = str(Path(sys.executable).with_name("verbinder"))
    for extra in ([], ["--out", str(data / "report")]):
        command = [verbinder, "report", "--weeks", str(args.weeks), *extra]
        t = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        took = time.perf_counter() - t
        print(f"$ {' '.join(['verbinder', *command[1:]])}: {took:.2f} s (exit {done.returncode})")
        if done.returncode:
            print(done.stderr)
    print()
    print(done.stdout)


if __name__ == "__main__":
    main()
