"""The scheduler: stored jobs run when due, once per due run across replicas, and survive restarts.

The database is real (SQLite, migrated); the clock is the test's. PostgreSQL races are in
tests/test_routing_pg.py.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from support.clock import START, Clock

from bot.commands import RegistrationError
from bot.delivery.records import JobRecord
from bot.delivery.scheduler import LEASE, MAX_FAILURES, Job, Scheduler, weekly
from storage.db import make_engine, migrate, session_factory


@pytest.fixture
def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'jobs.db'}")
    migrate(engine)
    yield session_factory(engine)
    engine.dispose()


class Log:
    """A job's run function that records when it ran and with what."""

    def __init__(self, fail: int = 0) -> None:
        self.runs: list[tuple[datetime, dict[str, Any]]] = []
        self.fail = fail
        self.lock = threading.Lock()

    def __call__(self, now: datetime, payload: dict[str, Any]) -> None:
        with self.lock:
            self.runs.append((now, payload))
            if len(self.runs) <= self.fail:
                raise RuntimeError(f"broken (run {len(self.runs)})")


def scheduler(db: sessionmaker[Session], clock: Clock, *jobs: Job) -> Scheduler:
    s = Scheduler(db, clock)
    for job in jobs:
        s.add(job)
    return s


def test_a_recurring_job_runs_at_once_then_every_interval(db):
    clock, log = Clock(), Log()
    s = scheduler(db, clock, Job("tick", log, every=timedelta(minutes=1)))
    assert s.run_due() == ["tick"]
    assert s.run_due() == []  # not due again yet
    clock.advance(seconds=59)
    assert s.run_due() == []
    clock.advance(seconds=1)
    assert s.run_due() == ["tick"]
    assert [at for at, _ in log.runs] == [START, START + timedelta(minutes=1)]
    [row] = s.rows()
    assert (row.runs, row.failures, row.due_at) == (2, 0, START + timedelta(minutes=2))


def test_the_schedule_survives_a_restart(db):
    clock, log = Clock(), Log()
    scheduler(db, clock, Job("tick", log, every=timedelta(hours=1))).run_due()
    clock.advance(minutes=30)
    restarted = scheduler(db, clock, Job("tick", log, every=timedelta(hours=1)))
    assert restarted.run_due() == []  # the stored due time holds, not "due at start"
    clock.advance(minutes=30)
    assert restarted.run_due() == ["tick"] and len(log.runs) == 2


def test_a_shorter_interval_holds_from_the_next_start(db):
    clock, log = Clock(), Log()
    scheduler(db, clock, Job("tick", log, every=timedelta(hours=6))).run_due()
    clock.advance(minutes=10)
    restarted = scheduler(db, clock, Job("tick", log, every=timedelta(minutes=5)))
    assert restarted.run_due() == []
    [row] = restarted.rows()  # due at most one (new) interval after the start, not in 6 hours
    assert row.every_seconds == 300 and row.due_at == clock() + timedelta(minutes=5)
    clock.advance(minutes=5)
    assert restarted.run_due() == ["tick"] and len(log.runs) == 2


def test_a_job_holds_its_own_lease(db):
    clock = Clock()
    s = scheduler(db, clock, Job("tick", Log(), every=timedelta(minutes=1), lease=timedelta(minutes=2)))
    s.ensure()
    with db.begin() as session:  # a replica took the run and died
        session.execute(update(JobRecord).values(lease_until=clock() + timedelta(minutes=2)))
    clock.advance(minutes=2, seconds=1)
    assert s.run_due() == ["tick"]


def test_replicas_run_each_due_run_once(db):
    clock, log = Clock(), Log()
    replicas = [scheduler(db, clock, Job("tick", log, every=timedelta(minutes=5))) for _ in range(4)]
    for _round in range(3):
        barrier = threading.Barrier(len(replicas))

        def run(s: Scheduler, barrier: threading.Barrier) -> None:
            barrier.wait()
            s.run_due()

        threads = [threading.Thread(target=run, args=(s, barrier)) for s in replicas]
        for th in threads:
            th.start()
        for th in threads:
            th.join(30)
        clock.advance(minutes=5)
    assert [at for at, _ in log.runs] == [START + timedelta(minutes=5 * i) for i in range(3)]


def test_a_crashed_run_is_taken_again_after_its_lease(db):
    clock, log = Clock(), Log()
    crashed = scheduler(db, clock, Job("tick", lambda now, p: None, every=timedelta(days=1)))
    crashed.ensure()
    # The process takes the run and dies before finishing it: its lease stays behind.
    with db.begin() as session:
        session.execute(update(JobRecord).values(lease_until=clock() + LEASE))
    other = scheduler(db, clock, Job("tick", log, every=timedelta(days=1)))
    assert other.run_due() == [] and log.runs == []
    clock.advance(seconds=LEASE.total_seconds() + 1)
    assert other.run_due() == ["tick"] and len(log.runs) == 1


def test_a_failing_recurring_job_is_logged_and_keeps_its_schedule(db, caplog):
    clock, log = Clock(), Log(fail=1)
    s = scheduler(db, clock, Job("tick", log, every=timedelta(minutes=1)))
    assert s.run_due() == ["tick"]
    [row] = s.rows()
    assert (
        row.failures == 1
        and "broken (run 1)" in row.last_error
        and row.due_at == START + timedelta(minutes=1)
    )
    assert "scheduled job tick failed" in caplog.text
    clock.advance(minutes=1)
    s.run_due()
    [row] = s.rows()
    assert (row.runs, row.failures, row.last_error) == (2, 1, "")


def test_a_one_off_run_happens_once_at_its_time(db):
    clock, log = Clock(), Log()
    s = scheduler(db, clock, Job("announce", log))
    at = START + timedelta(hours=2)
    name = s.schedule("announce", at, {"text": "Vrijdag borrel"}, key="borrel")
    assert s.schedule("announce", at, {"text": "twice"}, key="borrel") == name  # stored once
    assert s.run_due() == []
    clock.advance(hours=2)
    assert s.run_due() == [name]
    clock.advance(days=30)
    assert s.run_due() == []
    assert log.runs == [(at, {"text": "Vrijdag borrel"})]


def test_a_failing_one_off_run_is_retried_then_given_up(db):
    clock, log = Clock(), Log(fail=10**6)
    s = scheduler(db, clock, Job("announce", log))
    s.schedule("announce", START, key="x")
    for _ in range(MAX_FAILURES + 3):
        s.run_due()
        clock.advance(hours=2)  # longer than any backoff
    [row] = s.rows()
    assert len(log.runs) == MAX_FAILURES and row.done_at is not None and row.failures == MAX_FAILURES


def test_a_one_off_run_can_be_cancelled_before_it_starts(db):
    clock, log = Clock(), Log()
    s = scheduler(db, clock, Job("announce", log))
    name = s.schedule("announce", START + timedelta(hours=1), key="x")
    assert s.cancel(name) is True and s.cancel(name) is False and s.cancel("announce:unknown") is False
    clock.advance(hours=2)
    assert s.run_due() == [] and log.runs == []


def test_rows_of_jobs_this_process_does_not_know_wait(db):
    """A replica without a feature leaves that feature's rows to the replicas that have it."""
    clock, log = Clock(), Log()
    with_feature = scheduler(db, clock, Job("announce", log))
    name = with_feature.schedule("announce", START, key="x")
    without = scheduler(db, clock, Job("tick", Log(), every=timedelta(minutes=1)))
    assert without.run_due() == ["tick"]
    assert with_feature.run_due() == [name] and len(log.runs) == 1


def test_names_are_registered_once_and_only_one_off_jobs_are_scheduled(db):
    s = scheduler(db, Clock(), Job("tick", Log(), every=timedelta(minutes=1)))
    with pytest.raises(RegistrationError, match="tick"):
        s.add(Job("tick", Log()))
    with pytest.raises(RegistrationError, match="no one-off job"):
        s.schedule("tick", START)
    with pytest.raises(RegistrationError, match="no one-off job"):
        s.schedule("unknown", START)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Winter (CET, UTC+1): Monday 09:00 local is 08:00 UTC.
        (datetime(2026, 11, 30, 7, 0), datetime(2026, 11, 30, 8, 0)),  # Monday morning, before
        (datetime(2026, 11, 30, 8, 0), datetime(2026, 12, 7, 8, 0)),  # exactly then: next week
        (datetime(2026, 12, 2, 12, 0), datetime(2026, 12, 7, 8, 0)),  # Wednesday
        # Summer (CEST, UTC+2) and across the change to summer time (29 March 2026).
        (datetime(2026, 6, 10, 0, 0), datetime(2026, 6, 15, 7, 0)),
        (datetime(2026, 3, 25, 0, 0), datetime(2026, 3, 30, 7, 0)),
    ],
)
def test_weekly_rule_is_local_time(now, expected):
    assert weekly(0, time(9, 0), "Europe/Amsterdam")(now) == expected


def test_a_weekly_job_runs_on_its_day(db):
    clock, log = Clock(datetime(2026, 11, 30, 7, 0)), Log()
    s = scheduler(db, clock, Job("highlights", log, next_run=weekly(0, time(9, 0))))
    # A new calendar job waits for its time: a bot started on a Wednesday posts nothing then.
    assert s.run_due() == []
    clock.now = datetime(2026, 11, 30, 7, 59)
    assert s.run_due() == []
    clock.now = datetime(2026, 11, 30, 8, 0)
    assert s.run_due() == ["highlights"]
    [row] = s.rows()
    assert row.due_at == datetime(2026, 12, 7, 8, 0)


def test_the_loop_runs_due_jobs(db):
    log = Log()
    s = scheduler(db, Clock(), Job("tick", log, every=timedelta(minutes=1)))

    async def main() -> None:
        task = asyncio.create_task(s.run(poll=0.01))
        for _ in range(200):
            if log.runs:
                break
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert len(log.runs) == 1  # the clock did not move: once
