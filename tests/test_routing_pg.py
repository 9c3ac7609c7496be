"""Races on PostgreSQL: concurrent claims, outbox leases, event dedup, timers and escalations.

Needs a PostgreSQL server: VERBINDER_TEST_PG_URL (a SQLAlchemy URL whose user may create
databases), by default postgresql+psycopg://postgres@127.0.0.1:5432/test. Each run creates a
fresh database verbinder_test_<random> and drops it at the end; without a server the tests skip.
Only the SQL database is PostgreSQL; the vector index is a local temporary directory.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from support.clock import START, Clock
from support.docs import make_settings

from app.runtime import BotCore, Runtime, build_runtime
from bot.delivery.outbox import Outbox, enqueue
from bot.delivery.records import OutboxRecord
from bot.delivery.scheduler import Job, Scheduler
from bot.experts.directory import Expert
from bot.messages import ASK_EXPERT, CLAIM, Action, ChatRef, Incoming, Posted, Reply
from bot.texts import t

# Read at import: the session fixture in conftest.py clears VERBINDER_* variables afterwards.
PG_URL = os.environ.get("VERBINDER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
THREADS = 8
ROUNDS = 20
ASK_KOOR = "Hoe vind ik een koor voor mijn moeder met dementie in Utrecht?"
KOOR_ANSWERABLE = "Waar repeteert het seniorenkoor voor eenzame ouderen?"


@pytest.fixture(scope="module")
def pg_url() -> Any:
    """A fresh, empty database on the server, dropped afterwards."""
    try:
        server = create_engine(PG_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        conn = server.connect()
    except Exception as exc:  # noqa: BLE001 - no driver, no server, no access: all mean "skip"
        shown = make_url(PG_URL).render_as_string(hide_password=True)
        pytest.skip(f"no PostgreSQL at {shown} ({type(exc).__name__}); set VERBINDER_TEST_PG_URL")
    name = f"verbinder_test_{secrets.token_hex(4)}"
    conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :n AND pid <> pg_backend_pid()"
            ),
            {"n": name},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.close()
        server.dispose()


@pytest.fixture(scope="module")
def rt(pg_url: str, tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Any:
    runtime = build_runtime(make_settings(tmp_path_factory.mktemp("pg") / "data", database_url=pg_url))
    assert runtime.settings.sqlalchemy_url.startswith("postgresql")
    assert runtime.ingest([corpus_dir]).ok
    yield runtime
    runtime.sessions.kw["bind"].dispose()


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def core(rt: Runtime, clock: Clock) -> BotCore:
    return rt.bot(clock)


@pytest.fixture(scope="module")
def experts(core: BotCore) -> list[Expert]:
    return [
        core.experts.add(
            f"Expert {i}",
            slack_user_id=f"UEXP{i}",
            expertise="dementie en muziek",
            tags="dementie",
            capacity=100,
        )
        for i in range(THREADS)
    ]


def all_at_once(n: int, fn: Callable[[int], Any]) -> list[Any]:
    """Run fn(0..n-1) in n threads released together; their results (an exception fails the test)."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = fn(i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert not errors, errors
    return results


_mid = itertools.count(1)


def ask(core: BotCore, question: str = ASK_KOOR, routed: bool = True) -> int:
    [r] = core.service.handle(
        Incoming(ChatRef("telegram", "555"), str(next(_mid)), "555", question, direct=True)
    )
    assert r.routed == routed
    return int(r.question_id)


def test_exactly_one_of_eight_concurrent_claims_wins(core, experts):
    for _ in range(ROUNDS):
        qid = ask(core)

        def press(i: int, qid: int = qid) -> list[Reply]:
            return core.service.handle_action(Action(ChatRef("slack", f"DEXP{i}"), f"UEXP{i}", CLAIM, qid))

        replies = [r for rs in all_at_once(THREADS, press) for r in rs]
        texts = Counter(r.text for r in replies)
        assert texts[t("claimed_ok", "nl", id=qid)] == 1, texts
        [winner] = [r.ephemeral_user for r in replies if r.text == t("claimed_ok", "nl", id=qid)]
        name = next(e.name for e in experts if e.slack_user_id == winner)
        assert texts[t("claimed_taken", "nl", id=qid, name=name)] == THREADS - 1, texts
        q = core.service.store.get(qid)
        assert q.status == "claimed"
        assert [e.status for e in core.service.store.events(qid)].count("claimed") == 1


def test_concurrent_requests_for_an_expert_route_once(core, experts):
    # A question the bot answered, escalated by several members at the same moment.
    for _ in range(5):
        qid = ask(core, KOOR_ANSWERABLE, routed=False)

        def press(i: int, qid: int = qid) -> list[Reply]:
            # Members of the chat the answer is in (the button sits under it) press at once.
            return core.service.handle_action(Action(ChatRef("telegram", "555"), f"UM{i}", ASK_EXPERT, qid))

        texts = Counter(r.text for rs in all_at_once(4, press) for r in rs)
        assert texts == Counter({t("routed_to_expert", "nl"): 1, t("expert_already", "nl"): 3}), texts


def test_two_dispatchers_never_lease_the_same_row(rt, core):
    with rt.sessions.begin() as s:
        for i in range(200):
            enqueue(s, Reply(chat=ChatRef("console", "C1"), text=f"m{i}"), "notice", None, START)
    taken: list[list[int]] = [[] for _ in range(4)]

    def dispatch(i: int) -> None:
        outbox = Outbox(rt.sessions)
        while batch := outbox.lease(frozenset({"console"}), limit=9):
            taken[i].extend(p.id for p in batch)

    all_at_once(4, dispatch)
    ids = [x for batch in taken for x in batch]
    assert len(ids) == len(set(ids)) == 200

    # And sending: two dispatchers delivering at once post every message exactly once.
    with rt.sessions.begin() as s:
        s.execute(text("UPDATE outbox SET sent_at = now() WHERE platform = 'console'"))
        for i in range(100):
            enqueue(s, Reply(chat=ChatRef("console", "C2"), text=f"n{i}"), "notice", None, START)
    posted: list[str] = []
    lock = threading.Lock()

    async def sender(reply: Reply) -> list[Posted]:
        with lock:
            posted.append(reply.text)
        return [Posted("C2", f"ts{len(posted)}")]  # a sender says where each part landed

    def deliver(i: int) -> None:
        outbox = Outbox(rt.sessions)
        while asyncio.run(outbox.deliver({"console": sender}, limit=7)):
            pass

    all_at_once(3, deliver)
    assert sorted(posted) == sorted(f"n{i}" for i in range(100))
    with rt.sessions() as s:
        unsent = select(OutboxRecord.id).where(
            OutboxRecord.sent_at.is_(None), OutboxRecord.platform == "console"
        )
        assert s.scalar(unsent) is None


def test_concurrent_duplicate_events_are_taken_once(core):
    for round_ in range(ROUNDS):
        key = f"slack:C1:1772.{round_}:{secrets.token_hex(3)}"
        results = all_at_once(THREADS, lambda i, key=key: core.service.store.claim_event(key))
        assert results.count(True) == 1, results
    # The same message delivered to several replicas at once is answered once.
    m = Incoming(
        ChatRef("telegram", "556"), "dup-1", "556", "Hoe vind ik een koor voor mijn vader?", direct=True
    )
    replies = all_at_once(THREADS, lambda i: core.service.handle(m))
    assert sorted(len(r) for r in replies) == [0] * (THREADS - 1) + [1]


def test_replicas_ticking_at_once_take_every_step_once(rt, core, clock, experts):
    # Start from no open routings, so only this test's questions are due.
    with rt.sessions.begin() as s:
        s.execute(text("UPDATE routings SET next_check_at = NULL"))
        s.execute(text("UPDATE outbox SET sent_at = now() WHERE sent_at IS NULL"))
    qids = [ask(core, f"Hoe start ik een zangkoor voor dementie in wijk {i}?") for i in range(6)]
    with rt.sessions.begin() as s:
        s.execute(text("UPDATE outbox SET sent_at = now() WHERE sent_at IS NULL"))
    replicas = [rt.bot(clock) for _ in range(4)]
    clock.now = START + core.router.timers.remind
    counts = all_at_once(4, lambda i: replicas[i].tick())
    assert sum(c["reminded"] for c in counts) == len(qids), counts
    with rt.sessions() as s:
        rows = list(s.scalars(select(OutboxRecord).where(OutboxRecord.sent_at.is_(None))))
    per_question = Counter(r.question_id for r in rows)
    assert per_question == Counter({q: core.router.n_experts for q in qids}), per_question
    clock.now = START + core.router.timers.widen
    counts = all_at_once(4, lambda i: replicas[i].tick())
    assert sum(c["widened"] for c in counts) == len(qids), counts
    with rt.sessions() as s:
        rows = list(s.scalars(select(OutboxRecord).where(OutboxRecord.sent_at.is_(None))))
    # Widening: once more to each expert that had no offer yet; nobody twice for one question.
    widened = Counter((r.question_id, r.expert_id) for r in rows if "niemand" in r.payload["text"])
    assert set(widened.values()) == {1} and len(widened) == len(qids) * (THREADS - core.router.n_experts)
    assert clock() - START == timedelta(hours=24)


def test_replicas_run_each_scheduled_run_once(rt, clock):
    """Several bot processes on one database: a stored job runs once per due time, a one-off once."""
    runs: list[tuple[str, datetime]] = []
    lock = threading.Lock()

    def record(name: str):  # type: ignore[no-untyped-def]
        def run(now: datetime, payload: dict[str, Any]) -> None:
            with lock:
                runs.append((name, now))

        return run

    replicas = []
    for _ in range(THREADS):
        scheduler = Scheduler(rt.sessions, clock)
        scheduler.add(Job("pg.tick", record("tick"), every=timedelta(minutes=10)))
        scheduler.add(Job("pg.once", record("once")))
        replicas.append(scheduler)
    replicas[0].schedule("pg.once", clock() + timedelta(minutes=15), key="x")
    for _ in range(3):
        all_at_once(THREADS, lambda i: replicas[i].run_due())
        clock.advance(minutes=10)
    start = clock() - timedelta(minutes=30)
    assert sorted(runs) == sorted(
        [("tick", start), ("tick", start + timedelta(minutes=10)), ("tick", start + timedelta(minutes=20))]
        + [("once", start + timedelta(minutes=20))]
    )


def test_schema_is_on_postgresql(rt, pg_url):
    with rt.sessions() as s:
        assert s.execute(text("SELECT current_database()")).scalar() == make_url(pg_url).database
        assert s.execute(text("SELECT version_num FROM alembic_version")).scalar()


def test_moderators_racing_for_a_submission_make_one_decision_on_postgresql(core):
    """Eight moderators press approve on one tip at the same moment, twenty times: one approval each,
    one knowledge-base entry each, and every other moderator is told who had it."""
    people = core.people
    mods = [people.grant("cli", people.person("slack", f"UMOD{i}"), "moderator") for i in range(THREADS)]
    author = people.person("telegram", "4242", "Lid")
    queue = core.community.queue
    queue.policy = type(queue.policy)(max_waiting=ROUNDS + 1)
    for n in range(ROUNDS):
        fields = {
            "title": f"Tip nummer {n} over zingen",
            "text": f"Zingen met buren, ronde {n}.",
            "themes": "",
            "region": "",
        }
        sub = queue.submit(author, "telegram", "4242", "4242", "tip", fields, "nl")

        def approve(i: int, sid: int = sub.id) -> str:
            try:
                return queue.approve(sid, "slack", mods[i].accounts[0][1]).state
            except Exception as exc:  # noqa: BLE001 - a refusal is the expected answer of the losers
                return getattr(exc, "key", repr(exc))

        outcomes = Counter(all_at_once(THREADS, approve))
        assert outcomes["approved"] == 1, outcomes
        assert set(outcomes) <= {"approved", "sub_claimed", "sub_done_approved"}, outcomes
    paths = [s.kb_path for s in core.community.queue.list(state="approved", limit=100)]
    assert len(set(paths)) == ROUNDS and all(p.startswith("community/tip-") for p in paths)
    entries = [
        d.path for d in core.service.assistant.retriever.kb.documents() if d.path.startswith("community/")
    ]
    assert len(entries) == ROUNDS


def test_two_replicas_post_the_weekly_highlights_once_per_channel_on_postgresql(rt, clock):
    """Eight schedulers on one PostgreSQL database reach Monday 09:00 together: every highlights
    channel gets the week exactly once, and a rerun of the week posts nothing."""
    from bot.delivery.outbox import Outbox
    from bot.delivery.records import OutboxRecord as Row
    from bot.highlights.feature import POST_JOB, HighlightsFeature
    from bot.highlights.posting import Edition, HighlightsPolicy
    from bot.people.store import People

    channels = (("slack", "CPGHL"), ("telegram", "-100999"))

    def build(week: str, intro: str) -> Edition:
        return Edition(week, False, week, (week, []), (), (f"<b>{week}</b>",))

    monday = Clock(datetime(2027, 1, 4, 7, 0))  # Monday 4 January 2027, 08:00 local
    replicas = []
    for _ in range(THREADS):
        feature = HighlightsFeature(
            rt.sessions,
            People(rt.sessions),
            Outbox(rt.sessions, monday),
            build,
            HighlightsPolicy(channels=channels),
            monday,
        )
        scheduler = Scheduler(rt.sessions, monday)
        for job in feature.contribution().jobs:
            scheduler.add(job)
        replicas.append((feature, scheduler))
    for _, scheduler in replicas:
        scheduler.ensure()
    monday.now = datetime(2027, 1, 4, 8, 0)  # 09:00 in Amsterdam
    ran = all_at_once(THREADS, lambda i: replicas[i][1].run_due())
    assert sum(POST_JOB in r for r in ran) == 1
    assert sorted(c for f, _ in replicas[:1] for c in f.poster.post("2026-W53", "cli").already) == sorted(
        channels
    )
    with rt.sessions() as s:
        rows = list(s.scalars(select(Row).where(Row.purpose == "highlights")))
    assert sorted((r.platform, r.payload["chat"]["chat_id"]) for r in rows) == sorted(channels)


def test_a_scheduled_announcement_goes_out_once_with_eight_schedulers_on_postgresql(rt):
    """Eight replicas reach an announcement's time together: one of them fans it out, every target
    gets one outbox row, and the author's report is queued once."""
    from bot.announcements.feature import AnnouncementsFeature
    from bot.announcements.model import Target
    from bot.announcements.store import SEND_JOB, AnnouncementsPolicy
    from bot.delivery.outbox import Outbox
    from bot.delivery.records import OutboxRecord as Row
    from bot.people.store import People

    targets = (Target("slack", "CPGAN1"), Target("slack", "CPGAN2"), Target("telegram", "-100888"))
    clock = Clock(datetime(2026, 12, 1, 9, 0))
    replicas = []
    for _ in range(THREADS):
        people = People(rt.sessions, admins=frozenset({("slack", "UPGMOD")}), clock=clock)
        scheduler = Scheduler(rt.sessions, clock)
        feature = AnnouncementsFeature(
            rt.sessions, people, Outbox(rt.sessions, clock), scheduler, AnnouncementsPolicy(targets), clock
        )
        for job in feature.contribution().jobs:
            scheduler.add(job)
        replicas.append((feature, scheduler))
    ann = replicas[0][0].store.create("slack:UPGMOD", "Morgen is het kantoor dicht.", when="2026-12-02 08:00")
    clock.now = datetime(2026, 12, 2, 7, 0)  # 08:00 in Amsterdam
    ran = all_at_once(THREADS, lambda i: replicas[i][1].run_due())
    assert sum(f"{SEND_JOB}:{ann.id}" in r for r in ran) == 1
    for feature, _ in replicas:
        feature.store.settle_all(clock())  # the safety net of every replica finds it sent
    with rt.sessions() as s:
        rows = list(s.scalars(select(Row).where(Row.purpose.like("announcement%"))))
    chats = sorted((r.platform, r.payload["chat"]["chat_id"]) for r in rows if r.op == "send")
    assert chats == sorted((t.platform, t.chat_id) for t in targets)
