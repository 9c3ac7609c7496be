"""The moderation queue: submissions in, the first moderator to act claims them, one decision out.

Every state change is one conditional UPDATE, so two moderators pressing at once (or one pressing
twice) end in one decision; the messages it causes are queued in the outbox in the same
transaction. Publishing (a knowledge-base entry, an event) happens once, by the winner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.community.model import Refused, Submission, snapshot
from bot.community.notices import QueueNotices
from bot.community.records import APPROVED, HELD, OPEN, PENDING, REJECTED, WITHDRAWN, SubmissionRecord
from bot.delivery.outbox import Outbox
from bot.people.store import CLI, People, Person, actor_of, audit
from knowledge_base.text import normalise

# (kind, fields) -> what the knowledge base already has that looks the same, or "" (nothing).
DuplicateCheck = Callable[[str, dict[str, str]], str]
# (submission) -> what publishing it made (a KB path, "event:<id>"); idempotent per submission.
Publish = Callable[["Submission"], str]


@dataclass(frozen=True)
class QueuePolicy:
    """Limits of the queue."""

    max_waiting: int = 3  # open submissions per member
    stale_after: timedelta = timedelta(hours=48)  # moderators are reminded of older waiting items


class Queue:
    """Submissions, their claims and decisions."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        people: People,
        outbox: Outbox,
        clock: Callable[[], datetime],
        policy: QueuePolicy = QueuePolicy(),
        duplicates: DuplicateCheck | None = None,
    ) -> None:
        self.sessions = sessions
        self.people = people
        self.outbox = outbox
        self.clock = clock
        self.policy = policy
        self.duplicates = duplicates
        self.publishers: dict[str, Publish] = {}
        self.notices = QueueNotices(people, clock)

    # -- reading --------------------------------------------------------------------------

    def get(self, sub_id: int) -> Submission | None:
        """A submission by id."""
        with self.sessions() as s:
            r = s.get(SubmissionRecord, sub_id)
            return snapshot(r) if r is not None else None

    def list(self, state: str = "", author_id: int | None = None, limit: int = 50) -> list[Submission]:
        """Submissions, newest first, optionally of one state or author."""
        q = select(SubmissionRecord).order_by(SubmissionRecord.id.desc()).limit(limit)
        if state:
            q = q.where(SubmissionRecord.state == state)
        if author_id is not None:
            q = q.where(SubmissionRecord.author_id == author_id)
        with self.sessions() as s:
            return [snapshot(r) for r in s.scalars(q)]

    def waiting(self, author_id: int) -> int:
        """How many of a member's submissions are still open."""
        with self.sessions() as s:
            q = select(func.count()).where(
                SubmissionRecord.author_id == author_id, SubmissionRecord.state.in_(OPEN)
            )
            return int(s.scalar(q) or 0)

    # -- submitting -----------------------------------------------------------------------

    def submit(
        self,
        author: Person,
        platform: str,
        user_id: str,
        chat_id: str,
        kind: str,
        values: dict[str, str],
        lang: str,
    ) -> Submission:
        """Queue a validated submission; HELD when the knowledge base has something much like it."""
        if author.blocked:
            raise Refused("sub_blocked")
        if self.waiting(author.id) >= self.policy.max_waiting:
            raise Refused("sub_limit", n=self.policy.max_waiting)
        duplicate = self._duplicate(kind, values)
        with self.sessions.begin() as s:
            row = SubmissionRecord(
                kind=kind,
                state=HELD if duplicate else PENDING,
                author_id=author.id,
                author_name=author.label,
                platform=platform,
                user_id=user_id,
                chat_id=chat_id,
                language=lang,
                fields=values,
                duplicate=duplicate,
                claimed_name="",
                reason="",
                kb_path="",
                created_at=self.clock(),
            )
            s.add(row)
            s.flush()
            sub = snapshot(row)
            if not duplicate:
                self.notices.to_moderators(s, sub)
        self.outbox.notify()
        return sub

    def _duplicate(self, kind: str, values: dict[str, str]) -> str:
        """A near-duplicate among open and approved submissions, then in the knowledge base."""
        title = normalise(values.get("title", "")).strip()
        with self.sessions() as s:
            rows = s.scalars(
                select(SubmissionRecord).where(
                    SubmissionRecord.kind == kind, SubmissionRecord.state.in_((PENDING, APPROVED))
                )
            )
            for r in rows:
                if title and normalise(str((r.fields or {}).get("title", ""))).strip() == title:
                    return str(r.fields.get("title"))
        return self.duplicates(kind, values) if self.duplicates is not None else ""

    def send_anyway(self, sub_id: int, platform: str, user_id: str) -> Submission:
        """The author saw the near-duplicate and sends it anyway: into the queue."""
        return self._author_move(sub_id, platform, user_id, (HELD,), PENDING)

    def withdraw(self, sub_id: int, platform: str, user_id: str) -> Submission:
        """The author takes an open submission back."""
        return self._author_move(sub_id, platform, user_id, OPEN, WITHDRAWN)

    def _author_move(
        self, sub_id: int, platform: str, user_id: str, from_: tuple[str, ...], to: str
    ) -> Submission:
        person = self.people.find(platform, user_id)
        with self.sessions.begin() as s:
            row = s.get(SubmissionRecord, sub_id)
            if row is None or person is None or row.author_id != person.id:
                raise Refused("sub_not_yours")
            moved = s.execute(
                update(SubmissionRecord)
                .where(SubmissionRecord.id == sub_id, SubmissionRecord.state.in_(from_))
                .values(state=to, decided_at=self.clock() if to == WITHDRAWN else None)
            ).rowcount  # type: ignore[attr-defined]
            s.refresh(row)
            if moved != 1:
                raise Refused(f"sub_state_{row.state}")
            sub = snapshot(row)
            if to == PENDING:
                self.notices.to_moderators(s, sub)
        self.outbox.notify()
        return sub

    # -- moderating -----------------------------------------------------------------------

    def _moderator(self, platform: str, user_id: str) -> Person:
        if platform == CLI:  # the operator at the machine (verbinder submissions approve)
            return self.people.person(CLI, user_id, "CLI")
        if not self.people.is_moderator(platform, user_id):
            raise Refused("not_moderator", who=self.people.moderator_names())
        return self.people.person(platform, user_id)

    def claim(self, sub_id: int, platform: str, user_id: str, announce: bool = False) -> Submission:
        """Take a waiting submission on (the first moderator to act); Refused when another has it.

        With `announce`, a fresh claim tells the other moderators who took it (an edit or a
        rejection in progress); a decision tells them itself."""
        mod = self._moderator(platform, user_id)
        now = self.clock()
        with self.sessions.begin() as s:
            fresh = s.execute(
                update(SubmissionRecord)
                .where(
                    SubmissionRecord.id == sub_id,
                    SubmissionRecord.state == PENDING,
                    SubmissionRecord.claimed_by.is_(None),
                )
                .values(claimed_by=mod.id, claimed_name=mod.label, claimed_at=now)
            ).rowcount  # type: ignore[attr-defined]
            row = s.get(SubmissionRecord, sub_id)
            if row is None:
                raise Refused("sub_unknown", id=sub_id)
            s.refresh(row)
            if row.state != PENDING:
                raise Refused(f"sub_done_{row.state}", id=sub_id, who=row.claimed_name or "?")
            if row.claimed_by != mod.id:
                raise Refused("sub_claimed", id=sub_id, who=row.claimed_name)
            sub = snapshot(row)
            if fresh == 1 and announce:
                self.notices.to_others(s, sub, mod, "mod_claimed")
        if fresh == 1 and announce:
            self.outbox.notify()
        return sub

    def approve(
        self, sub_id: int, platform: str, user_id: str, fields: dict[str, str] | None = None
    ) -> Submission:
        """Approve (with a moderator's edits), publish it and tell the author; exactly once."""
        return self._decide(sub_id, platform, user_id, APPROVED, fields=fields)

    def reject(self, sub_id: int, platform: str, user_id: str, reason: str) -> Submission:
        """Reject with a reason, which the author gets with their own text."""
        return self._decide(sub_id, platform, user_id, REJECTED, reason=reason)

    def _decide(
        self,
        sub_id: int,
        platform: str,
        user_id: str,
        state: str,
        *,
        fields: dict[str, str] | None = None,
        reason: str = "",
    ) -> Submission:
        claimed = self.claim(sub_id, platform, user_id)
        mod = self.people.person(platform, user_id)
        author = self.people.get(claimed.author_id)
        if state == APPROVED and (author is None or author.blocked):
            raise Refused("sub_author_removed", id=sub_id)
        now = self.clock()
        with self.sessions.begin() as s:
            values: dict[str, Any] = {"state": state, "decided_at": now, "reason": reason}
            if fields is not None:
                values["fields"] = fields
            won = s.execute(
                update(SubmissionRecord)
                .where(
                    SubmissionRecord.id == sub_id,
                    SubmissionRecord.state == PENDING,
                    SubmissionRecord.claimed_by == mod.id,
                )
                .values(**values)
            ).rowcount  # type: ignore[attr-defined]
            row = s.get(SubmissionRecord, sub_id)
            assert row is not None
            s.refresh(row)
            if won != 1:
                raise Refused(f"sub_done_{row.state}", id=sub_id, who=row.claimed_name or "?")
            sub = snapshot(row)
        if state == APPROVED:
            # Outside the decision's transaction: the knowledge base writes with its own sessions.
            try:
                sub = self._publish(sub)
            except Exception:
                with self.sessions.begin() as s:  # back in the queue, still claimed by this moderator
                    s.execute(
                        update(SubmissionRecord)
                        .where(SubmissionRecord.id == sub_id)
                        .values(state=PENDING, decided_at=None, fields=claimed.fields)
                    )
                raise
        with self.sessions.begin() as s:
            audit(
                s,
                actor_of(platform, user_id),
                f"submission_{state}",
                f"submission:{sub_id}",
                reason or sub.title,
                now,
            )
            self.notices.to_author(s, sub)
            self.notices.to_others(s, sub, mod, f"mod_decided_{sub.state}")
        self.outbox.notify()
        return sub

    def _publish(self, sub: Submission) -> Submission:
        """Make an approved submission answerable (idempotent: a path per submission)."""
        publish = self.publishers.get(sub.kind)
        if publish is None:
            return sub
        made = publish(sub)
        with self.sessions.begin() as s:
            row = s.get(SubmissionRecord, sub.id)
            assert row is not None
            row.kb_path = made
            return snapshot(row)

    def republish(self) -> int:
        """Publish approved submissions a crash left unpublished; how many."""
        with self.sessions() as s:
            ids = list(
                s.scalars(
                    select(SubmissionRecord.id).where(
                        SubmissionRecord.state == APPROVED, SubmissionRecord.kb_path == ""
                    )
                )
            )
        done = 0
        for sub_id in ids:
            sub = self.get(sub_id)
            if sub is not None and sub.kind in self.publishers:
                self._publish(sub)
                done += 1
        return done

    def remind_stale(self) -> int:
        """Remind the moderators of submissions waiting longer than the policy allows; how many."""
        now = self.clock()
        cutoff = now - self.policy.stale_after
        with self.sessions.begin() as s:
            rows = list(
                s.scalars(
                    select(SubmissionRecord)
                    .where(
                        SubmissionRecord.state == PENDING,
                        SubmissionRecord.created_at < cutoff,
                        or_(SubmissionRecord.reminded_at.is_(None), SubmissionRecord.reminded_at < cutoff),
                    )
                    .order_by(SubmissionRecord.id)
                )
            )
            if not rows:
                return 0
            for r in rows:
                r.reminded_at = now
            self.notices.stale(s, rows)
        self.outbox.notify()
        return len(rows)
