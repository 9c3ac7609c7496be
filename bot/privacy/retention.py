"""Retention: questions, answers and logs older than their setting are deleted or anonymised by a
daily stored job; a watch tells the moderators when that job has not run for too long."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.people.store import audit
from bot.privacy.subject import table
from bot.privacy.traces import compact, secure

RETENTION_JOB = "privacy.retention"
RUN_ACTION = "privacy_retention"  # the audit entry of each finished run: when it last ran
ALERT_ACTION = "privacy_alert"
OVERDUE = timedelta(days=2)
KINDS = ("questions", "answers", "logs")


@dataclass(frozen=True)
class RetentionPolicy:
    """How long each kind is kept (days)."""

    questions_days: float = 365
    answers_days: float = 365
    logs_days: float = 90

    def cutoff(self, kind: str, now: datetime) -> datetime:
        """Older than this goes."""
        return now - timedelta(days=float(getattr(self, f"{kind}_days")))


def _published(s: Session) -> Any:
    rt = table("routings")
    return select(rt.c.question_id).where(rt.c.kb_status == "published")


def _count(s: Session, name: str, where: Any) -> int:
    return int(s.scalar(select(func.count()).select_from(table(name)).where(where)) or 0)


def _log_clauses(cutoff: datetime) -> dict[str, Any]:
    ob, he, al, jobs = table("outbox"), table("handled_events"), table("audit_log"), table("scheduled_jobs")
    return {
        "handled_events": he.c.at < cutoff,
        "audit_log": and_(al.c.at < cutoff, al.c.action != RUN_ACTION),
        # Also what was never sent (given up on, or for a platform no longer configured): a message
        # older than the logs are kept is no message to send any more.
        "outbox": or_(ob.c.sent_at < cutoff, and_(ob.c.sent_at.is_(None), ob.c.created_at < cutoff)),
        "scheduled_jobs": jobs.c.done_at < cutoff,
    }


class Retention:
    """Counts and carries out what the retention settings say must go."""

    def __init__(
        self, sessions: sessionmaker[Session], policy: RetentionPolicy, clock: Callable[[], datetime]
    ) -> None:
        self.sessions = sessions
        self.policy = policy
        self.clock = clock

    def _clauses(self, s: Session, now: datetime) -> dict[str, dict[str, Any]]:
        qt, rt = table("questions"), table("routings")
        old_q = qt.c.created_at < self.policy.cutoff("questions", now)
        published = qt.c.id.in_(_published(s))
        old_a = qt.c.created_at < self.policy.cutoff("answers", now)
        return {
            "questions": {
                "deleted": and_(old_q, ~published),
                "anonymised": and_(old_q, published, qt.c.user_id != ""),
            },
            "answers": {
                "questions.answer": and_(old_a, ~published, qt.c.answer != ""),
                "routings.answer": and_(
                    rt.c.question_id.in_(select(qt.c.id).where(old_a)),
                    rt.c.kb_status != "published",
                    rt.c.answer != "",
                ),
            },
            "logs": _log_clauses(self.policy.cutoff("logs", now)),
        }

    def preview(self, now: datetime | None = None) -> dict[str, dict[str, int]]:
        """What a run would delete or anonymise now, per kind (the dry run)."""
        now = now or self.clock()
        with self.sessions() as s:
            c = self._clauses(s, now)
            q, a, logs = c["questions"], c["answers"], c["logs"]
            return {
                "questions": {k: _count(s, "questions", w) for k, w in q.items()},
                "answers": {
                    "questions.answer": _count(s, "questions", a["questions.answer"]),
                    "routings.answer": _count(s, "routings", a["routings.answer"]),
                },
                "logs": {name: _count(s, name, w) for name, w in logs.items()},
            }

    def run(
        self, now: datetime | None = None, payload: dict[str, Any] | None = None
    ) -> dict[str, dict[str, int]]:
        """Delete and anonymise what is past its time; what was done (also the stored job's run)."""
        now = now or self.clock()
        done = self.preview(now)  # the same moment as the run's own clauses
        qt, rt = table("questions"), table("routings")
        with self.sessions.begin() as s:
            secure(s)  # what goes does not stay readable in the file's free pages
            c = self._clauses(s, now)
            old = select(qt.c.id).where(c["questions"]["deleted"]).scalar_subquery()
            s.execute(update(qt).where(qt.c.parent_id.in_(old)).values(parent_id=None))
            # Their lifecycle events, message links, feedback and routings go with them.
            s.execute(delete(qt).where(c["questions"]["deleted"]))
            kept = list(s.scalars(select(qt.c.id).where(c["questions"]["anonymised"])))
            ev, fb, mr = table("question_events"), table("feedback"), table("message_refs")
            asker = select(qt.c.user_id).where(qt.c.id == ev.c.question_id).scalar_subquery()
            s.execute(update(ev).where(ev.c.question_id.in_(kept), ev.c.actor == asker).values(actor=""))
            s.execute(delete(fb).where(fb.c.question_id.in_(kept)))  # who voted: a log of its time
            s.execute(delete(mr).where(mr.c.question_id.in_(kept)))  # which chat it was asked in
            s.execute(
                update(qt)
                .where(c["questions"]["anonymised"])
                .values(user_id="", user_name="", chat_id="", message_id="", thread_id=None, context="")
            )
            s.execute(update(qt).where(c["answers"]["questions.answer"]).values(answer="", sources=[]))
            s.execute(update(rt).where(c["answers"]["routings.answer"]).values(answer=""))
            for name, where in c["logs"].items():
                s.execute(delete(table(name)).where(where))
            summary = ", ".join(f"{k}.{n}={v}" for k, part in done.items() for n, v in part.items() if v)
            audit(s, "system", RUN_ACTION, "", summary or "nothing to do", now)
        if summary:
            compact(self.sessions, vacuum=False)  # and not in the write-ahead log either
        return done

    def last_run(self) -> datetime | None:
        """When the retention job last finished (None: never)."""
        al = table("audit_log")
        with self.sessions() as s:
            return s.scalar(select(func.max(al.c.at)).where(al.c.action == RUN_ACTION))

    def overdue(self, now: datetime | None = None) -> bool:
        """Whether the job has not finished for longer than it may: since its last run, or since it
        was first due (a bot that never started it at all is overdue too)."""
        since = self.last_run()
        if since is None:
            jobs = table("scheduled_jobs")
            with self.sessions() as s:
                since = s.scalar(select(jobs.c.due_at).where(jobs.c.name == RETENTION_JOB))
        return since is None or (now or self.clock()) - since > OVERDUE

    def alerted_since(self, since: datetime) -> bool:
        """Whether the moderators were told about an overdue job since then."""
        al = table("audit_log")
        with self.sessions() as s:
            return bool(_count(s, "audit_log", and_(al.c.action == ALERT_ACTION, al.c.at >= since)))
