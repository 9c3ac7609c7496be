"""Expert routing as a feature of the service: what it registers, and the parts it is made of."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.answering.assistant import Assistant
from bot.commands import Command
from bot.conversations.store import QuestionStore
from bot.delivery.outbox import Outbox
from bot.delivery.scheduler import Job
from bot.experts.desk import ACTIONS, COMMANDS, ExpertDesk
from bot.experts.directory import ExpertDirectory
from bot.experts.learning import Learning, Publisher
from bot.experts.matching import ExpertMatcher
from bot.experts.notices import SENT_HOOKS, Notices
from bot.experts.records import ExpertRecord
from bot.experts.router import Router, RoutingPolicy
from bot.experts.timers import ExpertTimers
from bot.people.store import People, Person
from bot.service import Contribution
from storage.db import utcnow

TIMERS_JOB = "experts.timers"


class ExpertsFeature:
    """Questions the bot cannot answer go to the experts who can; their answers teach the bot."""

    name = "experts"
    commands = COMMANDS

    def __init__(
        self,
        sessions: sessionmaker[Session],
        store: QuestionStore,
        assistant: Assistant,
        outbox: Outbox,
        matcher: ExpertMatcher,
        policy: RoutingPolicy = RoutingPolicy(),
        publisher: Publisher | None = None,
        timer_interval: timedelta = timedelta(seconds=60),
        clock: Callable[[], datetime] = utcnow,
        people: People | None = None,
    ) -> None:
        self.directory = ExpertDirectory(sessions, clock)
        self.notices = Notices(self.directory, policy.moderators, clock, people)
        self.router = Router(sessions, self.directory, matcher, outbox, self.notices, policy, clock)
        self.learning = Learning(
            sessions, self.directory, outbox, self.notices, publisher, policy.kb_approval
        )
        self.timers = ExpertTimers(
            sessions, self.directory, self.router, self.notices, self.learning, outbox, clock
        )
        if people is not None:
            people.link_listeners.append(link_expert)
        self.desk = ExpertDesk(store, assistant, self.directory, self.router, self.learning, self.notices)
        self.timer_interval = timer_interval

    def route(self, question_id: int, actor: str) -> str:
        """Offer a question to experts; what to tell the asker."""
        return self.router.route(question_id, actor).text

    def contribution(self) -> Contribution:
        """Commands and buttons of experts, askers and moderators; the timers job; offer/delivery hooks."""
        return Contribution(
            commands=tuple(Command(spec, self.desk.handlers[spec.name]) for spec in COMMANDS),
            actions={action: self.desk.on_action for action in ACTIONS},
            intercepts=(self.desk.intercept,),
            conversations=(self.desk.is_routed_thread,),
            on_route=(self.route,),
            jobs=(
                # A tick takes well under a second: a replica that dies in one holds it up briefly.
                Job(
                    TIMERS_JOB,
                    lambda now, payload: self.timers.tick(),
                    every=self.timer_interval,
                    lease=max(timedelta(minutes=2), 2 * self.timer_interval),
                ),
            ),
            on_sent=SENT_HOOKS,
        )


def link_expert(s: Session, person: Person) -> None:
    """Linked accounts are one person: their expert profile gets the account it lacked."""
    ids = dict(person.accounts)
    found = [
        e
        for e in s.scalars(select(ExpertRecord))
        if (e.slack_user_id and e.slack_user_id == ids.get("slack"))
        or (e.telegram_user_id and e.telegram_user_id == ids.get("telegram"))
    ]
    if len(found) != 1:
        return  # no profile, or two profiles of one person: a moderator merges those by hand
    e = found[0]
    for column, platform in (("slack_user_id", "slack"), ("telegram_user_id", "telegram")):
        uid = ids.get(platform)
        if uid and not getattr(e, column):
            taken = s.scalar(select(ExpertRecord).where(getattr(ExpertRecord, column) == uid))
            if taken is None:
                setattr(e, column, uid)
