"""The outbox: queued with the state change, leased so no two processes send a row, retried, linked.

The database is real (SQLite, migrated); only the platform senders are fake async functions.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from support.clock import START, Clock

from bot.answering.assistant import Answer
from bot.commands import RegistrationError
from bot.conversations.store import QuestionStore
from bot.delivery.outbox import LEASE, MAX_ATTEMPTS, NOTICE, Outbox, enqueue
from bot.delivery.pacing import Pacer
from bot.delivery.records import OutboxRecord
from bot.experts.notices import DELIVERY, OFFER, SENT_HOOKS
from bot.experts.records import RoutedMessage
from bot.messages import CLAIM, Button, ChatRef, Incoming, Posted, Reply, Source
from storage.db import make_engine, migrate, session_factory


class Recorder:
    """A fake platform: records what it posts, returns ids; fails the first `fail` calls."""

    def __init__(self, fail: int = 0, pairs: bool = False) -> None:
        self.posted: list[Reply] = []
        self.calls = 0
        self.fail = fail
        self.pairs = pairs
        self.lock = threading.Lock()

    async def __call__(self, reply: Reply) -> list[Posted]:
        with self.lock:
            self.calls += 1
            if self.calls <= self.fail:
                raise ConnectionError(f"down (call {self.calls})")
            self.posted.append(reply)
            mid = str(1000 + len(self.posted))
        # Slack posts a DM to a user id in the D… channel with that user (pairs); others where asked.
        return [Posted(("D" if self.pairs else "") + reply.chat.chat_id, mid)]


@pytest.fixture
def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    migrate(engine)
    yield session_factory(engine)
    engine.dispose()


def question(sessions) -> int:  # type: ignore[no-untyped-def]
    store = QuestionStore(sessions, lambda: START)
    asked = Incoming(ChatRef("telegram", "555"), "1", "555", "Een vraag?", user_name="Anna")
    return store.record_question(asked, "Een vraag?", Answer("Een vraag?", "", True, "nl", status="routed"))


def reply(
    chat: str = "777", platform: str = "telegram", qid: int | None = None, text: str = "Hallo"
) -> Reply:
    return Reply(chat=ChatRef(platform, chat), text=text, question_id=qid, kind="notice")


def queue(sessions, *replies: Reply, purpose: str = NOTICE) -> None:  # type: ignore[no-untyped-def]
    with sessions.begin() as s:
        for r in replies:
            enqueue(s, r, purpose, None, START)


def deliver(outbox: Outbox, senders: dict) -> int:
    return asyncio.run(outbox.deliver(senders))


def test_messages_belong_to_the_transaction_of_the_state_change(db):
    with pytest.raises(RuntimeError), db.begin() as s:
        enqueue(s, reply(text="never"), NOTICE, None, START)
        raise RuntimeError("the state change failed")
    assert Outbox(db).pending_count() == 0
    queue(db, reply(text="kept"))
    assert Outbox(db).pending_count() == 1


def test_a_reply_survives_the_round_trip_through_the_database(db):
    qid = question(db)
    original = Reply(
        chat=ChatRef("slack", "C1", "1772.1"),
        text="Nieuwe vraag",
        language="en",
        sources=(Source("nl/koor.md", "Koor", "https://example.org", "project", 1.5),),
        buttons=(Button(CLAIM, "Claim", str(qid)),),
        question_id=qid,
        reply_to="1772.0",
        routed=True,
        ephemeral_user=None,
        kind="notice",
    )
    queue(db, original)
    got = Recorder()
    assert deliver(Outbox(db), {"slack": got}) == 1
    assert got.posted == [original]


def test_a_lease_of_a_crashed_process_expires_and_the_row_is_sent_exactly_once(db):
    clock = Clock()
    queue(db, reply(text="een"), reply(text="twee"))
    crashed = Outbox(db, clock)
    assert [p.reply.text for p in crashed.lease(frozenset({"telegram"}), limit=1)] == ["een"]
    # ... and the process dies without sending. Another one sends what is not leased.
    other, got = Outbox(db, clock), Recorder()
    assert deliver(other, {"telegram": got}) == 1 and [r.text for r in got.posted] == ["twee"]
    clock.advance(seconds=LEASE.total_seconds() - 1)
    assert deliver(other, {"telegram": got}) == 0
    clock.advance(seconds=2)
    assert deliver(other, {"telegram": got}) == 1
    assert deliver(other, {"telegram": got}) == 0
    clock.advance(hours=1)
    assert deliver(other, {"telegram": got}) == 0
    assert [r.text for r in got.posted] == ["twee", "een"] and other.pending_count() == 0


def test_a_failing_sender_is_retried_with_backoff_and_nothing_is_lost(db):
    clock = Clock()
    queue(db, reply(text="flaky"))
    queue(db, reply(chat="C1", platform="slack", text="fine"))
    outbox, tg, slack = Outbox(db, clock), Recorder(fail=2), Recorder()
    senders = {"telegram": tg, "slack": slack}
    # One failed row does not stop the others.
    assert deliver(outbox, senders) == 1 and [r.text for r in slack.posted] == ["fine"]
    with db() as s:
        row = s.scalar(select(OutboxRecord).where(OutboxRecord.platform == "telegram"))
        assert row.attempts == 1 and "ConnectionError: down (call 1)" in row.error and row.sent_at is None
    # Backoff: not retried at once, but after 10 s, then after 20 s.
    assert deliver(outbox, senders) == 0 and tg.calls == 1
    clock.advance(seconds=9)
    assert deliver(outbox, senders) == 0 and tg.calls == 1
    clock.advance(seconds=2)
    assert deliver(outbox, senders) == 0 and tg.calls == 2
    clock.advance(seconds=11)
    assert deliver(outbox, senders) == 0 and tg.calls == 2
    clock.advance(seconds=10)
    assert deliver(outbox, senders) == 1 and tg.calls == 3
    assert [r.text for r in tg.posted] == ["flaky"] and outbox.pending_count() == 0
    clock.advance(hours=1)
    assert deliver(outbox, senders) == 0 and tg.calls == 3


def test_a_row_that_keeps_failing_is_given_up_but_kept(db):
    clock = Clock()
    queue(db, reply(text="doomed"))
    outbox, tg = Outbox(db, clock), Recorder(fail=10**6)
    for _ in range(MAX_ATTEMPTS + 3):
        deliver(outbox, {"telegram": tg})
        clock.advance(minutes=15)
    assert tg.calls == MAX_ATTEMPTS
    assert outbox.pending_count() == 1  # still there, with the last error, for an operator
    with db() as s:
        row = s.scalar(select(OutboxRecord))
        assert row.attempts == MAX_ATTEMPTS and row.error.startswith("ConnectionError")


def test_rows_wait_for_a_platform_without_a_sender(db):
    queue(db, reply(text="tg"), reply(chat="C1", platform="slack", text="sl"))
    outbox, slack = Outbox(db), Recorder()
    assert deliver(outbox, {"slack": slack}) == 1 and outbox.pending_count() == 1
    tg = Recorder()
    assert deliver(outbox, {"telegram": tg, "slack": slack}) == 1 and [r.text for r in tg.posted] == ["tg"]


def test_sent_messages_are_linked_to_their_question(db):
    qid = question(db)
    store = QuestionStore(db)
    queue(db, reply("777", qid=qid, text="offer tg"), purpose=OFFER)
    queue(db, reply("USAN", "slack", qid=qid, text="offer slack"), purpose=OFFER)
    queue(db, reply("555", qid=qid, text="delivery"), purpose=DELIVERY)
    queue(db, reply("555", qid=qid, text="notice"), purpose=NOTICE)
    queue(db, reply("555", text="no question"), purpose=OFFER)
    outbox = Outbox(db)
    for purpose, hook in SENT_HOOKS.items():  # what the experts feature registers
        outbox.on_sent(purpose, hook)
    # Telegram posts in the chat it was asked to post to (a long text: two parts);
    # Slack reports the DM channel the message landed in.
    tg_ids = iter(["11", "12", "21", "22", "31", "41"])

    async def telegram(r: Reply) -> list[Posted]:
        ids = [next(tg_ids)] if r.text != "offer tg" else [next(tg_ids), next(tg_ids)]
        return [Posted(r.chat.chat_id, i) for i in ids]

    assert deliver(outbox, {"telegram": telegram, "slack": Recorder(pairs=True)}) == 5
    with db() as s:
        routed = {
            (m.platform, m.chat_id, m.message_id): m.question_id for m in s.scalars(select(RoutedMessage))
        }
    assert routed == {
        ("telegram", "777", "11"): qid,
        ("telegram", "777", "12"): qid,
        ("slack", "DUSAN", "1001"): qid,
    }
    assert store.by_ref("telegram", "555", "21").id == qid  # replies to the delivery: follow-ups
    assert store.by_ref("telegram", "555", "31") is None  # a notice is not a conversation
    assert store.by_ref("telegram", "555", "41") is None


def test_two_dispatchers_leasing_at_once_never_share_a_row(db):
    queue(db, *(reply(text=f"m{i}") for i in range(60)))
    barrier = threading.Barrier(2)
    taken: list[list[int]] = [[], []]

    def dispatcher(n: int) -> None:
        outbox = Outbox(db)
        barrier.wait()
        while batch := outbox.lease(frozenset({"telegram"}), limit=7):
            taken[n].extend(p.id for p in batch)

    threads = [threading.Thread(target=dispatcher, args=(n,)) for n in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not set(taken[0]) & set(taken[1])
    assert sorted(taken[0] + taken[1]) == sorted(set(taken[0] + taken[1])) and len(taken[0] + taken[1]) == 60


def test_a_purpose_has_one_hook(db):
    outbox = Outbox(db)
    outbox.on_sent(OFFER, SENT_HOOKS[OFFER])
    with pytest.raises(RegistrationError, match="offer"):
        outbox.on_sent(OFFER, SENT_HOOKS[DELIVERY])


def test_run_delivers_when_woken(db):
    outbox, got = Outbox(db), Recorder()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        wake = asyncio.Event()
        outbox.on_new = lambda: loop.call_soon_threadsafe(wake.set)
        task = asyncio.create_task(outbox.run({"telegram": got}, wake, interval=30))
        await asyncio.sleep(0.05)
        assert got.posted == []

        def state_change() -> None:  # a service call in a worker thread
            queue(db, reply(text="nu"))
            outbox.notify()

        await asyncio.to_thread(state_change)
        for _ in range(100):
            if got.posted:
                break
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert [r.text for r in got.posted] == ["nu"]


class Editing(Recorder):
    """A platform that also edits and deletes what it posted (like the chat adapters)."""

    def __init__(self) -> None:
        super().__init__()
        self.changes: list[tuple[str, Posted, str]] = []

    async def send(self, reply: Reply) -> list[Posted]:
        return await self(reply)

    async def update(self, posted: Posted, reply: Reply) -> None:
        self.changes.append(("update", posted, reply.text))

    async def delete(self, posted: Posted) -> None:
        self.changes.append(("delete", posted, ""))


def test_posted_messages_are_edited_and_deleted_through_the_outbox(db):
    chat = ChatRef("slack", "C1")
    with db.begin() as s:
        enqueue(s, Reply(chat, "versie 2"), op="update", target=Posted("C1", "1700.1"))
        enqueue(s, Reply(chat, ""), op="delete", target=Posted("C1", "1700.2"))
        with pytest.raises(ValueError, match="needs the posted message"):
            enqueue(s, Reply(chat, "x"), op="update")
    slack = Editing()
    assert deliver(Outbox(db), {"slack": slack}) == 2 and slack.posted == []
    assert slack.changes == [
        ("update", Posted("C1", "1700.1"), "versie 2"),
        ("delete", Posted("C1", "1700.2"), ""),
    ]


def test_a_send_only_platform_cannot_edit_and_the_row_says_why(db):
    with db.begin() as s:
        enqueue(s, Reply(ChatRef("telegram", "-100"), "nieuw"), op="update", target=Posted("-100", "7"))
    assert deliver(Outbox(db), {"telegram": Recorder()}) == 0
    with db() as s:
        [row] = s.scalars(select(OutboxRecord))
        assert row.attempts == 1 and "cannot update" in row.error


def test_the_pacer_keeps_each_platforms_limits():
    now = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(round(seconds, 3))
        now[0] += seconds

    pacer = Pacer(clock=lambda: now[0], sleep=sleep)

    async def send_all(targets: list[tuple[str, str]]) -> None:
        for platform, chat in targets:
            await pacer.wait(platform, chat)

    asyncio.run(send_all([("slack", f"C{i}") for i in range(50)]))
    assert waits == []  # fifty Slack channels: one message each, no wait
    now[0] += 10
    asyncio.run(send_all([("slack", "C1"), ("slack", "C1")]))
    assert waits == [1.0]  # one per second per channel
    waits.clear()
    asyncio.run(send_all([("telegram", f"-200{i}") for i in range(31)]))
    assert len(waits) == 30 and all(abs(w - 1 / 30) < 1e-3 for w in waits)  # 30 per second overall
    waits.clear()
    now[0] += 10
    asyncio.run(
        send_all([("telegram", "-1005"), ("telegram", "-1005"), ("telegram", "42"), ("telegram", "42")])
    )
    assert waits[0] == 3.0 and waits[-1] <= 1.0  # a group 20 a minute, a private chat 1 a second
