"""Chat builders and fake platforms, so a test reads "member says X, expert presses Y, member sees Z".

`msg`/`cmd` build a member's message, `FakePlatforms` are outbox senders that record what would
have been posted and hand back ids the way Slack (a DM channel + ts) and Telegram (a message id)
do, and `World` is one bot core with its clock and fake platforms on a real database.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy import text as sql

from app.runtime import BotCore, Runtime
from bot.conversations.store import QuestionStore
from bot.experts.records import OfferRecord, RoutingRecord
from bot.messages import Action, ChatRef, Incoming, Posted, Reply
from support.clock import Clock


@dataclass(frozen=True)
class Sent:
    """One message a fake platform posted: where it ended up and under which id."""

    reply: Reply
    chat_id: str
    message_id: str

    @property
    def platform(self) -> str:
        return self.reply.chat.platform

    @property
    def actions(self) -> list[str]:
        return [b.action for b in self.reply.buttons]


@dataclass
class FakePlatforms:
    """Outbox senders for Slack and Telegram: record, return ids, optionally fail."""

    sent: list[Sent] = field(default_factory=list)
    down: set[str] = field(default_factory=set)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(100))

    async def slack(self, reply: Reply) -> list[Posted]:
        if "slack" in self.down:
            raise ConnectionError("slack is down")
        # Posting to a user id lands in the DM channel with that user (D...), as on Slack.
        chat = reply.chat.chat_id
        chat = "D" + chat[1:] if chat.startswith("U") else chat
        ts = f"1772442000.{next(self._ids):06d}"
        self.sent.append(Sent(reply, chat, ts))
        return [Posted(chat, ts)]

    async def telegram(self, reply: Reply) -> list[Posted]:
        if "telegram" in self.down:
            raise ConnectionError("telegram is down")
        mid = str(next(self._ids))
        self.sent.append(Sent(reply, reply.chat.chat_id, mid))
        return [Posted(reply.chat.chat_id, mid)]

    @property
    def senders(self) -> dict[str, Any]:
        return {"slack": self.slack, "telegram": self.telegram}


# Every table a conversation writes, children first (a test on the shared database starts from none).
ROUTING_TABLES = (
    "announcement_deliveries",
    "announcements",
    "events",
    "form_drafts",
    "submissions",
    "audit_log",
    "link_codes",
    "roles",
    "accounts",
    "people",
    "routed_messages",
    "outbox",
    "offers",
    "routings",
    "feedback",
    "message_refs",
    "question_events",
    "handled_events",
    "questions",
    "experts",
    "scheduled_jobs",
)


def reset_conversations(rt: Runtime) -> None:
    """Empty the conversation tables, and a knowledge base without published expert answers."""
    with rt.sessions.begin() as s:
        for table in ROUTING_TABLES:
            s.execute(sql(f"DELETE FROM {table}"))
    qa = [d.path for d in rt.kb.documents() if d.path.startswith(("qa/", "community/"))]
    if qa:
        rt.kb.remove(qa)


def dm(platform: str, user: str) -> str:
    """The chat id of a direct chat with a user, as the platform reports it on incoming events."""
    return "D" + user[1:] if platform == "slack" and user.startswith("U") else user


_mid = itertools.count(1)


def msg(
    platform: str,
    user: str,
    text: str,
    *,
    chat: str | None = None,
    thread: str | None = None,
    reply_to: str | None = None,
    command: str | None = None,
    name: str = "",
    addressed: bool = False,
) -> Incoming:
    """A member's message; without `chat` it is a direct chat with the bot."""
    chat_id = chat or dm(platform, user)
    n = next(_mid)
    mid = f"1772440000.{n:06d}" if platform == "slack" else str(n)
    return Incoming(
        ChatRef(platform, chat_id, thread),
        mid,
        user,
        text,
        user_name=name,
        command=command,
        direct=chat is None,
        addressed=addressed,
        reply_to=reply_to,
    )


def cmd(platform: str, user: str, command: str, arg: str = "", **kw: Any) -> Incoming:
    """A member's slash command with its argument."""
    return msg(platform, user, arg, command=command, **kw)  # type: ignore[arg-type]


@dataclass
class World:
    """One bot core on the shared test database, with its clock and fake platforms."""

    rt: Runtime
    core: BotCore
    clock: Clock
    net: FakePlatforms = field(default_factory=FakePlatforms)

    @property
    def store(self) -> QuestionStore:
        return self.core.service.store

    def handle(self, m: Incoming) -> list[Reply]:
        return self.core.service.handle(m)

    def press(self, platform: str, user: str, action: str, qid: int, chat: str | None = None) -> list[Reply]:
        act = Action(ChatRef(platform, chat or dm(platform, user)), user, action, qid)
        return self.core.service.handle_action(act)

    def say(self, platform: str, user: str, action: str, qid: int) -> str:
        """The one private notice a button press produces."""
        [r] = self.press(platform, user, action, qid)
        assert r.ephemeral_user == user
        return r.text

    def deliver(self) -> list[Sent]:
        """Run the outbox until nothing is left to send; what was posted."""
        start = len(self.net.sent)
        while asyncio.run(self.core.outbox.deliver(self.net.senders)):
            pass
        return self.net.sent[start:]

    def tick(self) -> dict[str, int]:
        return self.core.tick()

    def routing(self, qid: int) -> RoutingRecord:
        with self.rt.sessions() as s:
            r = s.get(RoutingRecord, qid)
            assert r is not None
            return r

    def offered(self, qid: int) -> set[str]:
        with self.rt.sessions() as s:
            ids = set(s.scalars(select(OfferRecord.expert_id).where(OfferRecord.question_id == qid)))
        return {e.name for e in self.core.experts.all(True) if e.id in ids}

    def routings(self) -> int:
        with self.rt.sessions() as s:
            return int(s.scalar(select(func.count()).select_from(RoutingRecord)) or 0)

    def statuses(self, qid: int) -> list[str]:
        return [e.status for e in self.store.events(qid)]


def to(sent: list[Sent], platform: str, chat: str) -> list[Sent]:
    """What was posted to one chat (by the id the sender was asked to post to)."""
    return [s for s in sent if s.reply.chat.platform == platform and s.reply.chat.chat_id == chat]


def one(sent: list[Sent], platform: str, chat: str) -> Sent:
    [s] = to(sent, platform, chat)
    return s
