"""Links from Slack messages to questions under concurrency (issue 12, finding 12: a lost link under load).

bench/bench_slack_ack.py logged `remembering reply … to question 3 failed`: an IntegrityError on
message_refs' primary key. Two writers linked one (channel, ts) at the same moment; each read "no
link", and the second insert failed. In the benchmark the two writers came from its member messages
taking ts from the same `<now>.<n>` series as the fake Slack's posts. A bot reply then got the ts of
a member's message in its channel. In production two questions in one member thread both link the
thread root when their replies are posted.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import event
from support.docs import make_settings
from support.fake_slack import BOT_TOKEN, BOT_USER, SIGNING_SECRET, FakeSlack
from support.slack_harness import http_bot
from support.slack_payloads import mention_event, message_event, new_ts

from app.runtime import Runtime, build_runtime

ROOT = Path(__file__).resolve().parent.parent
KOOR_Q = "Waar repeteert het seniorenkoor voor eenzame ouderen?"
MUSEUM_Q = "What does the Leeds museum offer people living with dementia?"


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory, corpus_dir) -> Runtime:
    rt = build_runtime(make_settings(tmp_path_factory.mktemp("slack_links") / "data"))
    assert rt.ingest([corpus_dir]).ok
    return rt


@pytest.fixture
async def bot(runtime, tmp_path):
    fake = await FakeSlack().start()
    settings = make_settings(
        tmp_path / "data",
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake.url,
        slack_mode="http",
    )
    service = runtime.service()
    async with http_bot(settings, service, fake, retry_delays=(0.05, 0.1, 0.2)) as bot:
        yield bot
    await fake.close()


@contextmanager
def _meet_at_the_link(engine: Any, message_id: str) -> Iterator[threading.Event]:
    """Make the first writer of a link to `message_id` wait, just before its INSERT, until a second
    writer of that link reaches its own INSERT: both have then looked for the link before either
    wrote it (the interleaving the benchmark hit by chance). Yields the event set when they met."""
    met = threading.Event()
    writers: list[int] = []
    lock = threading.Lock()

    def _meet(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        if not statement.lstrip().upper().startswith("INSERT INTO MESSAGE_REFS"):
            return
        if message_id not in str(params):
            return
        with lock:
            writers.append(threading.get_ident())
            first = len(writers) == 1
            if not first:
                met.set()
        if first:
            met.wait(10)  # only a safety net: the second writer arrives within milliseconds

    event.listen(engine, "before_cursor_execute", _meet)
    try:
        yield met
    finally:
        event.remove(engine, "before_cursor_execute", _meet)


async def test_two_questions_in_one_thread_both_link_its_root_and_a_follow_up_finds_one(bot, caplog):
    """Two members mention the bot at once in a member's thread the bot does not know yet. Each
    answer links the thread root to its question; both links are written at the same moment."""
    caplog.set_level(logging.WARNING)
    root = new_ts()  # a member's own message: not a question, not linked to anything
    first, second = new_ts(), new_ts()
    with _meet_at_the_link(bot.service.store.sessions.kw["bind"], root) as met:
        for ts, text in ((first, KOOR_Q), (second, MUSEUM_Q)):
            mention = mention_event("C0LINKS", f"<@{BOT_USER}> {text}", ts=ts, thread_ts=root)
            assert await bot.event(mention) == 200
        answers = await bot.fake.wait_for("chat.postMessage", 2)
        await bot.settle()
    assert met.is_set()  # the two links to the root really were written at the same moment
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert {a.args["thread_ts"] for a in answers} == {root}
    store = bot.service.store
    asked = {store.by_ref("slack", "C0LINKS", ts).id for ts in (first, second)}
    assert len(asked) == 2
    for answer in answers:  # every answer is linked to its own question
        q = store.by_ref("slack", "C0LINKS", answer.result["ts"])
        assert q is not None and q.message_id in (first, second)
    # The root leads to one of the two questions (the last link wins), so a follow-up in the
    # thread without a mention is still the bot's and is read with that question.
    linked = store.by_ref("slack", "C0LINKS", root)
    assert linked is not None and linked.id in asked
    follow = new_ts()
    assert await bot.event(message_event("C0LINKS", "Hoeveel leden?", ts=follow, thread_ts=root)) == 200
    posts = await bot.fake.wait_for("chat.postMessage", 3)
    await bot.settle()
    assert posts[2].args["thread_ts"] == root
    q = store.by_ref("slack", "C0LINKS", follow)
    assert q is not None and q.parent_id == linked.id
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_slack_ack", ROOT / "bench" / "bench_slack_ack.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_bench_member_messages_never_get_a_ts_the_fake_gives_a_bot_post():
    """Slack never gives two messages in one channel the same ts. The fake mints `<now>.<n>`, so the
    benchmark's member messages must lie in seconds that have passed: then no bot reply can take the
    ts (and the link) of a member's question."""
    before = int(time.time())
    plan = _bench().build_plan(200, 10, 50.0, seed=1)
    member = {(item["channel"], item["ts"]) for item in plan}
    assert all(int(float(ts)) < before for _, ts in member)
    fake = await FakeSlack().start()
    try:
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {BOT_TOKEN}"}) as http:
            for channel in sorted({c for c, _ in member}):  # a bot post in every channel of the plan
                body = {"channel": channel, "text": "Dit staat er in de kennisbank: …"}
                async with http.post(f"{fake.url}chat.postMessage", json=body) as resp:
                    assert (await resp.json())["ok"]
        posted = {(c.result["channel"], c.result["ts"]) for c in fake.to("chat.postMessage")}
    finally:
        await fake.close()
    assert posted and not posted & member
    assert min(int(float(ts)) for _, ts in posted) >= before > max(int(float(ts)) for _, ts in member)
