"""The scheduler: stored jobs, each due run taken by exactly one process however many replicas run.

Features register jobs by name. A recurring job (`every` or a calendar rule such as `weekly`) has
one row that moves forward after every run; a one-off run of a job kind at a set time (say, an
announcement for Friday 10:00) is a row of its own, made with `schedule()`. A process takes a due
row with a conditional UPDATE (a lease), so two replicas never run the same due run; a process
that dies while running leaves a lease that expires, and the run is taken again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.commands import RegistrationError
from bot.delivery.records import JobRecord
from storage.db import utcnow

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)
MAX_FAILURES = 5  # of a one-off run, before it is given up

# run(now, payload): blocking work, called in a worker thread.
JobRun = Callable[[datetime, dict[str, Any]], object]


@dataclass(frozen=True)
class Job:
    """A piece of scheduled work: recurring (`every` or `next_run`), or run when `schedule()`d."""

    name: str
    run: JobRun
    every: timedelta | None = None
    next_run: Callable[[datetime], datetime] | None = None  # the run after one at this (UTC) time
    lease: timedelta = LEASE  # longer than a run can take: a process that dies holds it this long

    @property
    def recurring(self) -> bool:
        """Whether the job repeats by itself."""
        return self.every is not None or self.next_run is not None

    def after(self, now: datetime) -> datetime:
        """When a recurring job runs next, after a run at `now`."""
        if self.next_run is not None:
            return self.next_run(now)
        assert self.every is not None
        return now + self.every


def weekly(weekday: int, at: time, tz: str = "Europe/Amsterdam") -> Callable[[datetime], datetime]:
    """A `next_run` rule: every week on `weekday` (0 = Monday) at local time `at`, as naive UTC."""
    zone = ZoneInfo(tz)

    def next_run(now: datetime) -> datetime:
        local = now.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
        day = local.date() + timedelta(days=(weekday - local.weekday()) % 7)
        for extra in (0, 7):
            candidate = datetime.combine(day + timedelta(days=extra), at, zone)
            utc = candidate.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
            if utc > now:
                return utc
        raise AssertionError("unreachable: a week later is always later")

    return next_run


class Scheduler:
    """Runs registered jobs when their stored rows are due."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Callable[[], datetime] = utcnow,
        lease: timedelta = LEASE,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.lease = lease
        self.jobs: dict[str, Job] = {}
        self._ensured = False

    def add(self, job: Job) -> None:
        """Register a job; its name must be new."""
        if job.name in self.jobs:
            raise RegistrationError(f"a job named {job.name!r} is already registered")
        self.jobs[job.name] = job
        self._ensured = False

    def schedule(self, kind: str, at: datetime, payload: dict[str, Any] | None = None, key: str = "") -> str:
        """Store a one-off run of job `kind` at `at` (UTC); the same `key` is stored once. Its name."""
        if kind not in self.jobs or self.jobs[kind].recurring:
            raise RegistrationError(f"no one-off job named {kind!r} is registered")
        name = f"{kind}:{key or f'{at:%Y%m%dT%H%M%S.%f}'}"
        with self.sessions() as s:
            s.add(_row(name, kind, at, None, payload or {}))
            try:
                s.commit()
            except IntegrityError:
                s.rollback()  # already scheduled (by us or another replica)
        return name

    def cancel(self, name: str) -> bool:
        """Drop a one-off run that has not started; False when it ran, runs or never existed."""
        now = self.clock()
        with self.sessions.begin() as s:
            gone = s.execute(
                update(JobRecord)
                .where(JobRecord.name == name, JobRecord.done_at.is_(None), _free(now))
                .values(done_at=now, last_error="cancelled")
            ).rowcount  # type: ignore[attr-defined]
        return bool(gone == 1)

    def ensure(self) -> None:
        """Store a row for every recurring job that has none yet: an `every` job is due now, a
        calendar job (weekly highlights) at its next time, not at the first start of the bot.

        A stored run of an `every` job is due at most one interval from now: a shorter interval in
        the settings holds from the next start, not only after the old, longer wait.
        """
        now = self.clock()
        with self.sessions() as s:
            have = set(s.scalars(select(JobRecord.name).where(JobRecord.name.in_(list(self.jobs)))))
        for job in self.jobs.values():
            every = job.every.total_seconds() if job.every else None
            if job.recurring and job.name not in have:
                first = job.next_run(now) if job.next_run is not None else now
                with self.sessions() as s:
                    s.add(_row(job.name, job.name, first, every, {}))
                    try:
                        s.commit()
                    except IntegrityError:
                        s.rollback()  # another replica stored it first
            elif job.every is not None:
                with self.sessions.begin() as s:
                    s.execute(
                        update(JobRecord)
                        .where(JobRecord.name == job.name, JobRecord.due_at > now + job.every)
                        .values(due_at=now + job.every, every_seconds=every)
                    )
        self._ensured = True

    def run_due(self) -> list[str]:
        """Run every due row this process wins; the names of the rows it ran."""
        if not self._ensured:
            self.ensure()
        now = self.clock()
        with self.sessions() as s:
            due = list(
                s.execute(
                    select(JobRecord.name, JobRecord.kind)
                    .where(
                        JobRecord.due_at <= now,
                        JobRecord.done_at.is_(None),
                        JobRecord.kind.in_(list(self.jobs)),
                        _free(now),
                    )
                    .order_by(JobRecord.due_at)
                )
            )
        return [name for name, kind in due if self._run_one(name, kind, now)]

    def _run_one(self, name: str, kind: str, now: datetime) -> bool:
        job = self.jobs[kind]
        with self.sessions.begin() as s:
            won = s.execute(
                update(JobRecord)
                .where(
                    JobRecord.name == name, JobRecord.due_at <= now, JobRecord.done_at.is_(None), _free(now)
                )
                .values(lease_until=now + min(job.lease, self.lease))
            ).rowcount  # type: ignore[attr-defined]
            if won != 1:
                return False  # another process took it
            row = s.get(JobRecord, name)
            assert row is not None
            payload, failures = dict(row.payload or {}), row.failures
        error = ""
        try:
            job.run(now, payload)
        except Exception as exc:  # noqa: BLE001 - one failing job must not stop the others
            log.exception("scheduled job %s failed", name)
            error = f"{type(exc).__name__}: {exc}"[:1000]
        values: dict[str, Any] = {"lease_until": None, "last_run_at": now, "last_error": error}
        values["runs"] = JobRecord.runs + 1
        if error:
            values["failures"] = JobRecord.failures + 1
        if job.recurring:
            values["due_at"] = job.after(now)
        elif not error or failures + 1 >= MAX_FAILURES:
            values["done_at"] = now
        else:
            values["due_at"] = now + timedelta(seconds=min(3600, 30 * 2**failures))
        with self.sessions.begin() as s:
            s.execute(update(JobRecord).where(JobRecord.name == name).values(**values))
        return True

    def rows(self) -> list[JobRecord]:
        """Every stored job row, soonest first (for status output and tests)."""
        with self.sessions() as s:
            return list(s.scalars(select(JobRecord).order_by(JobRecord.due_at, JobRecord.name)))

    async def run(self, poll: float = 5.0) -> None:
        """Run due jobs every `poll` seconds until cancelled."""
        while True:
            try:
                await asyncio.to_thread(self.run_due)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - keep the loop alive (database hiccup etc.)
                log.exception("scheduler loop error")
            await asyncio.sleep(poll)


def _free(now: datetime) -> Any:
    return or_(JobRecord.lease_until.is_(None), JobRecord.lease_until < now)


def _row(name: str, kind: str, due: datetime, every: float | None, payload: dict[str, Any]) -> JobRecord:
    return JobRecord(
        name=name,
        kind=kind,
        payload=payload,
        due_at=due,
        every_seconds=every,
        runs=0,
        failures=0,
        last_error="",
    )
