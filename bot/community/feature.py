"""Contributions and roles as a feature of the service: what it registers, and its parts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.commands import Command
from bot.community import agenda, desk, roles
from bot.community.agenda import Agenda
from bot.community.desk import ContributionDesk
from bot.community.drafts import DRAFT_TTL, Drafts
from bot.community.events import EventBook
from bot.community.forms import EVENT, KINDS, PROJECT, REJECT, TIP
from bot.community.model import AUTHOR_ACTIONS, MODERATION_ACTIONS
from bot.community.queue import DuplicateCheck, Publish, Queue, QueuePolicy
from bot.community.roles import IsExpert, RolesDesk
from bot.delivery.outbox import Outbox, enqueue
from bot.delivery.scheduler import Job
from bot.messages import ChatRef, Reply
from bot.people.store import People
from bot.service import Contribution
from bot.texts import t
from storage.db import utcnow

JOB = "community.housekeeping"


class CommunityFeature:
    """Members share tips, projects and events; moderators decide; people link their accounts."""

    name = "community"
    commands = (*desk.COMMANDS, *agenda.COMMANDS, *roles.COMMANDS)

    def __init__(
        self,
        sessions: sessionmaker[Session],
        people: People,
        outbox: Outbox,
        *,
        publish_entry: Publish | None = None,
        duplicates: DuplicateCheck | None = None,
        is_expert: IsExpert = lambda platform, user_id: False,
        policy: QueuePolicy = QueuePolicy(),
        draft_ttl: timedelta = DRAFT_TTL,
        interval: timedelta = timedelta(minutes=5),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.people = people
        self.outbox = outbox
        self.clock = clock
        self.interval = interval
        self.queue = Queue(sessions, people, outbox, clock, policy, duplicates)
        self.events = EventBook(sessions, clock)
        self.queue.publishers[EVENT] = self.events.publish
        if publish_entry is not None:
            self.queue.publishers[TIP] = publish_entry
            self.queue.publishers[PROJECT] = publish_entry
        self.drafts = Drafts(sessions, clock, draft_ttl)
        self.desk = ContributionDesk(people, self.queue, self.drafts)
        self.roles = RolesDesk(people, self.queue, is_expert)
        self.agenda = Agenda(self.events)

    def housekeeping(self) -> dict[str, int]:
        """Expired drafts told and dropped, stale submissions reminded, unpublished approvals published."""
        now = self.clock()
        with self.sessions.begin() as s:
            expired = self.drafts.take_expired(s, now)
            for d in expired:
                key = "draft_expired_reject" if d.form == REJECT else "draft_expired"
                text = t(key, d.language, kind=t(f"kind_{d.kind}", d.language), command=_command_of(d.kind))
                enqueue(s, Reply(ChatRef(d.platform, d.chat_id), text, d.language, kind="notice"), now=now)
        if expired:
            self.outbox.notify()
        return {
            "expired": len(expired),
            "reminded": self.queue.remind_stale(),
            "republished": self.queue.republish(),
        }

    def contribution(self) -> Contribution:
        """Commands, buttons, forms, the step-by-step intercept, the events intercept and the job."""
        handlers = {**self.desk.handlers, **self.roles.handlers, **self.agenda.handlers}
        forms = {name: self.desk.on_form for name in (*KINDS, REJECT, *(f"edit:{k}" for k in KINDS))}
        return Contribution(
            commands=tuple(Command(spec, handlers[spec.name]) for spec in self.commands),
            item_actions={a: self.desk.actions[a] for a in (*MODERATION_ACTIONS, *AUTHOR_ACTIONS)},
            forms=forms,
            intercepts=(self.desk.intercept, self.agenda.intercept),
            conversations=(self.desk.is_drafting,),
            jobs=(
                Job(
                    JOB,
                    lambda now, payload: self.housekeeping(),
                    every=self.interval,
                    lease=timedelta(minutes=5),
                ),
            ),
        )


def _command_of(kind: str) -> str:
    """The command that starts a form of a kind again."""
    return {TIP: "/tip", PROJECT: "/project", EVENT: "/evenement"}.get(kind, "/tip")
