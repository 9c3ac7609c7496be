"""Posting the weekly highlights: preview, decisions, exactly once per week and channel, the schedule.

The edition is built by a plain function here (its composition is tested in test_highlights.py);
the database, the outbox, the scheduler and the people are real.
"""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import datetime, time
from pathlib import Path

import pytest
from support.clock import Clock

from bot.delivery.outbox import Outbox
from bot.delivery.scheduler import Scheduler
from bot.highlights.feature import POST_JOB, PREVIEW_JOB, HighlightsFeature, preview_moment
from bot.highlights.posting import HL_INTRO, HL_POST, HL_SKIP, Edition, HighlightsPolicy, week_code
from bot.messages import Action, ChatRef, FormSubmit, Posted, Reply
from bot.people.store import People
from storage.db import make_engine, migrate, session_factory

CHANNELS = (("slack", "CHIGH"), ("telegram", "-100777"))
MONDAY_9 = datetime(2026, 12, 7, 8, 0)  # Monday 7 December 2026, 09:00 in Amsterdam (UTC+1)


def build(week: str, intro: str, empty: bool = False) -> Edition:
    head = f"{intro}\n" if intro else ""
    return Edition(
        week=week,
        empty=empty,
        plain=f"{head}Hoogtepunten {week}",
        slack=(
            f"Hoogtepunten {week}",
            [{"type": "section", "text": {"type": "mrkdwn", "text": f"{head}*{week}*"}}],
        ),
        slack_thread=(("details", [{"type": "section", "text": {"type": "mrkdwn", "text": "details"}}]),),
        telegram=(f"{head}<b>Hoogtepunten {week}</b>", "<i>deel 2</i>"),
    )


class Net:
    """Both platforms: record posts, hand out ids."""

    def __init__(self) -> None:
        self.sent: list[Reply] = []
        self.n = 0

    async def __call__(self, reply: Reply) -> list[Posted]:
        self.n += 1
        self.sent.append(reply)
        return [Posted(reply.chat.chat_id, f"17000.{self.n}")]


@pytest.fixture
def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'hl.db'}")
    migrate(engine)
    yield session_factory(engine)
    engine.dispose()


def feature(db, clock: Clock, **policy: object) -> HighlightsFeature:  # type: ignore[no-untyped-def]
    people = People(db, admins=frozenset({("slack", "UMOD")}), clock=clock)
    values = {"channels": CHANNELS, **policy}
    outbox = Outbox(db, clock)
    f = HighlightsFeature(db, people, outbox, build, HighlightsPolicy(**values), clock)  # type: ignore[arg-type]
    for purpose, hook in f.contribution().on_sent.items():  # what Service.register does
        outbox.on_sent(purpose, hook)
    return f


def deliver(f: HighlightsFeature, net: Net) -> list[Reply]:
    start = len(net.sent)
    while asyncio.run(f.poster.outbox.deliver({"slack": net, "telegram": net})):
        pass
    return net.sent[start:]


def test_posted_once_per_channel_with_the_slack_details_in_the_thread(db):
    clock = Clock(MONDAY_9)
    f = feature(db, clock)
    report = f.run_post(clock())
    assert report.week == "2026-W49" and report.queued == list(CHANNELS)
    sent = deliver(f, Net())
    slack = [r for r in sent if r.chat.platform == "slack"]
    assert [r.chat.thread_id for r in slack] == [None, "17000.1"]  # the short post, then its thread
    assert json.loads(slack[0].formatted)[0]["text"]["text"] == "*2026-W49*"
    telegram = [r.formatted for r in sent if r.chat.platform == "telegram"]
    assert telegram == ["<b>Hoogtepunten 2026-W49</b>", "<i>deel 2</i>"]
    again = f.poster.post("2026-W49", "cli")  # a rerun, a restart, `verbinder highlights post`
    assert again.queued == [] and again.already == list(CHANNELS) and deliver(f, Net()) == []


def test_two_replicas_at_once_post_each_channel_once(db):
    clock = Clock(MONDAY_9)
    replicas = [feature(db, clock) for _ in range(4)]
    barrier = threading.Barrier(4)
    reports = []

    def run(f: HighlightsFeature) -> None:
        barrier.wait()
        reports.append(f.poster.post("2026-W49", "scheduler"))

    threads = [threading.Thread(target=run, args=(f,)) for f in replicas]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(c for r in reports for c in r.queued) == sorted(CHANNELS)
    assert len(deliver(replicas[0], Net())) == 4  # Slack post + thread, two Telegram parts


def test_the_preview_buttons_skip_post_and_set_the_intro(db):
    clock = Clock(datetime(2026, 12, 7, 5, 0))  # Monday 06:00 local: the preview
    f = feature(db, clock)
    assert f.run_preview(clock()) == 1
    [preview] = deliver(f, Net())
    assert preview.chat == ChatRef("slack", "UMOD") and [b.action for b in preview.buttons] == [
        HL_POST,
        HL_SKIP,
        HL_INTRO,
    ]
    code = week_code("2026-W49")
    assert preview.buttons[0].value == str(code)

    def press(action: str, user: str = "UMOD", trigger: str | None = None) -> Reply:
        [r] = f.on_action(Action(ChatRef("slack", "D" + user), user, action, code, trigger=trigger))
        return r

    assert "moderator" in press(HL_POST, user="UMEMBER").text  # refused, and told who can
    opened = press(HL_INTRO, trigger="trig.1")
    assert opened.form is not None and opened.form.state == "2026-W49"
    sub = FormSubmit(
        ChatRef("slack", "UMOD"), "UMOD", opened.form.name, (("intro", "Wat een week!"),), "2026-W49"
    )
    assert f.on_form(sub).replies
    assert f.on_form(FormSubmit(sub.chat, "UMOD", sub.form, (("intro", " "),), "2026-W49")).errors
    assert "Wat een week!" in f.poster.edition("2026-W49").plain
    assert "niet gepost" in press(HL_SKIP).text or "overgeslagen" in press(HL_SKIP).text
    clock.now = MONDAY_9
    assert f.run_post(clock()).skipped  # skipped by a moderator: nothing at 09:00
    assert deliver(f, Net()) == []


def test_waiting_for_a_moderator_and_the_empty_week(db):
    clock = Clock(MONDAY_9)
    waits = feature(db, clock, unattended="wait")
    assert waits.run_post(clock()).skipped == "waiting for a moderator"
    quiet = feature(db, clock, when_empty="skip")
    quiet.poster.build = lambda week, intro: build(week, intro, empty=True)
    assert quiet.poster.post("2026-W50", "cli").skipped == "nothing to say this week"


def test_the_schedule_is_local_time_across_summer_time(db):
    policy = HighlightsPolicy(weekday=0, at=time(9, 0), preview_hours=3, channels=CHANNELS)
    wd, at = preview_moment(policy)
    assert (wd, at.time()) == (0, time(6, 0))
    assert preview_moment(HighlightsPolicy(weekday=0, at=time(2, 0), preview_hours=3))[0] == 6  # Sunday
    clock = Clock(datetime(2026, 10, 19, 12, 0))  # Monday 19 October, summer time
    f = feature(db, clock)
    scheduler = Scheduler(db, clock)
    for job in f.contribution().jobs:
        scheduler.add(job)
    scheduler.ensure()
    due = {r.name: r.due_at for r in scheduler.rows()}
    assert due[POST_JOB] == datetime(2026, 10, 26, 8, 0)  # 09:00 CET: winter time began on the 25th
    assert due[PREVIEW_JOB] == datetime(2026, 10, 26, 5, 0)
    clock.now = datetime(2026, 10, 26, 8, 0)
    assert sorted(scheduler.run_due()) == [POST_JOB, PREVIEW_JOB]
    due = {r.name: r.due_at for r in scheduler.rows()}
    assert due[POST_JOB] == datetime(2026, 11, 2, 8, 0)


class Pinning(Net):
    """A platform that pins too (Telegram)."""

    def __init__(self) -> None:
        super().__init__()
        self.pins: list[tuple[str, Posted]] = []

    async def send(self, reply: Reply) -> list[Posted]:
        return await self(reply)

    async def update(self, posted: Posted, reply: Reply) -> None:
        raise AssertionError("not used")

    async def delete(self, posted: Posted) -> None:
        raise AssertionError("not used")

    async def pin(self, posted: Posted, on: bool = True) -> None:
        self.pins.append(("pin" if on else "unpin", posted))


def test_telegram_pins_this_weeks_post_and_unpins_last_weeks(db):
    clock = Clock(MONDAY_9)
    f = feature(db, clock, channels=(("telegram", "-100777"),), pin=True)
    tg = Pinning()

    def deliver_all() -> None:
        while asyncio.run(f.poster.outbox.deliver({"telegram": tg})):
            pass

    f.poster.post("2026-W49", "cli")
    deliver_all()
    first = tg.sent[0]
    assert tg.pins == [("pin", Posted("-100777", "17000.1"))] and first.formatted.startswith("<b>")
    f.poster.post("2026-W50", "cli")
    deliver_all()
    assert tg.pins[1:] == [("pin", Posted("-100777", "17000.3")), ("unpin", Posted("-100777", "17000.1"))]
    unpinned = feature(db, clock, channels=(("slack", "C9"),), pin=True)  # Slack posts are never pinned
    net = Net()
    unpinned.poster.post("2026-W50", "cli")
    while asyncio.run(unpinned.poster.outbox.deliver({"slack": net})):
        pass
    assert [r.chat.thread_id for r in net.sent] == [None, "17000.1"]
