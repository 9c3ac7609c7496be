"""Announcements: the modal and the confirmation, scheduled exactly once, edit and withdraw, the
48-hour rule, a failing channel and the author's report, refusals; the CLI.

The database, outbox, scheduler and people are real (SQLite in a temporary folder); the platforms
are small fakes that post, update and delete (the real adapters: test_announcements_adapters.py).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from support.clock import Clock
from support.docs import make_settings
from support.race import at_once
from typer.testing import CliRunner

from app.cli import app
from app.runtime import open_settings_database
from bot.announcements.feature import FORM, SETTLE_JOB, AnnouncementsFeature
from bot.announcements.model import AN_CANCEL, AN_SEND, Target, parse_when, split_command
from bot.announcements.store import SEND_JOB, AnnouncementsPolicy
from bot.delivery.outbox import MAX_ATTEMPTS, Outbox
from bot.delivery.scheduler import Scheduler
from bot.messages import Action, ChatRef, FormSubmit, Incoming, Posted, Reply
from bot.people.store import People
from storage.db import make_engine, migrate, session_factory

MOD = "UMOD"  # a Slack admin (so a moderator)
TG_MOD = "4242"  # a Telegram moderator
TARGETS = (Target("slack", "C1"), Target("slack", "C2"), Target("telegram", "-1001"))
NOW = datetime(2026, 12, 1, 9, 0)  # Tuesday 1 December 2026, 10:00 in Amsterdam


class Net:
    """One platform: posts, updates and deletes, recorded; a chat can refuse every post."""

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.posts: list[Reply] = []
        self.updates: list[tuple[Posted, str]] = []
        self.deletes: list[Posted] = []
        self.refuse: dict[str, str] = {}
        self.n = 0

    async def send(self, reply: Reply) -> list[Posted]:
        if reply.chat.chat_id in self.refuse:
            raise RuntimeError(f"{self.platform}: could not post: {self.refuse[reply.chat.chat_id]}")
        self.n += 1
        self.posts.append(reply)
        return [Posted(reply.chat.chat_id, f"{self.n}")]

    async def update(self, posted: Posted, reply: Reply) -> None:
        self.updates.append((posted, reply.text))

    async def delete(self, posted: Posted) -> None:
        self.deletes.append(posted)


class World:
    """One announcements feature on a fresh database, with its clock and both platforms."""

    def __init__(self, sessions, clock: Clock) -> None:  # type: ignore[no-untyped-def]
        self.clock = clock
        self.people = People(
            sessions,
            admins=frozenset({("slack", MOD)}),
            moderators=frozenset({("telegram", TG_MOD)}),
            clock=clock,
        )
        self.outbox = Outbox(sessions, clock)
        self.scheduler = Scheduler(sessions, clock)
        self.feature = AnnouncementsFeature(
            sessions, self.people, self.outbox, self.scheduler, AnnouncementsPolicy(TARGETS), clock
        )
        c = self.feature.contribution()  # what Service.register does
        for job in c.jobs:
            self.scheduler.add(job)
        for purpose, hook in c.on_sent.items():
            self.outbox.on_sent(purpose, hook)
        self.slack, self.telegram = Net("slack"), Net("telegram")

    @property
    def store(self):  # type: ignore[no-untyped-def]
        return self.feature.store

    def deliver(self) -> int:
        n = 0
        while sent := asyncio.run(self.outbox.deliver({"slack": self.slack, "telegram": self.telegram})):
            n += sent
        return n

    def dms(self, platform: str, user: str) -> list[str]:
        net = self.slack if platform == "slack" else self.telegram
        return [r.text for r in net.posts if r.chat.chat_id == user]


@pytest.fixture
def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'an.db'}")
    migrate(engine)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def w(db) -> World:  # type: ignore[no-untyped-def]
    return World(db, Clock(NOW))


def command(
    platform: str, user: str, arg: str, trigger: str | None = None, name: str = "aankondiging"
) -> Incoming:
    chat = "D" + user[1:] if platform == "slack" else user
    return Incoming(ChatRef(platform, chat), "1", user, arg, command=name, direct=True, trigger=trigger)


def test_the_slack_modal_shows_its_errors_per_field_then_sends_to_every_channel(w):
    [opened] = w.feature.cmd_announce(
        command("slack", MOD, "Beste mensen", trigger="t1"), "Beste mensen", "nl"
    )
    form = opened.form
    assert form is not None and form.name == FORM
    assert [(f.name, f.required) for f in form.fields] == [("text", True), ("targets", False), ("at", False)]
    assert (
        form.fields[0].value == "Beste mensen"
        and form.fields[1].value == "slack:C1, slack:C2, telegram:-1001"
    )

    def submit(**values: str):  # type: ignore[no-untyped-def]
        return w.feature.on_form(FormSubmit(ChatRef("slack", MOD), MOD, FORM, tuple(values.items()), "nl"))

    assert dict(submit(text=" ", targets="", at="").errors) == {"text": "De aankondiging heeft geen tekst."}
    assert "at" in dict(submit(text="Hoi", at="gisteren 10:00").errors)
    assert "at" in dict(submit(text="Hoi", at="wanneer het uitkomt").errors)
    assert "C9" in dict(submit(text="Hoi", targets="slack:C1, slack:C9").errors)["targets"]
    assert w.outbox.pending_count() == 0  # nothing went anywhere
    done = submit(text="Zaterdag is de open dag!", targets=form.fields[1].value, at="")
    assert not done.errors and "gaat nu naar 3" in done.replies[0].text
    assert w.deliver() == 4  # three channels, then the author's report
    assert [r.chat.chat_id for r in w.slack.posts[:2]] == ["C1", "C2"]
    assert w.telegram.posts[0].text == "Zaterdag is de open dag!"
    [report] = w.dms("slack", MOD)
    assert report.startswith("Verslag van aankondiging #1: 3 van 3")


def test_telegram_asks_for_confirmation_with_buttons_and_sends_nothing_before(w):
    arg = "om 2026-12-07 10:00\nnaar telegram:-1001\nKerstborrel op 18 december!"
    [confirm] = w.feature.cmd_announce(command("telegram", TG_MOD, arg), arg, "nl")
    assert [b.action for b in confirm.buttons] == [AN_SEND, AN_CANCEL]
    assert "op 2026-12-07 10:00 naar 1 kanaal" in confirm.text and "Kerstborrel" in confirm.text
    assert w.outbox.pending_count() == 0 and w.store.listing() == []  # a draft is not listed
    ann_id = int(confirm.buttons[0].value)

    def press(action: str, item: int, user: str = TG_MOD) -> str:
        [r] = w.feature.on_action(Action(ChatRef("telegram", user), user, action, item))
        return r.text

    assert "niet verstuurd" in press(AN_CANCEL, ann_id)
    assert "al verstuurd, ingepland of geannuleerd" in press(AN_SEND, ann_id)  # nothing to send
    [confirm] = w.feature.cmd_announce(command("telegram", TG_MOD, arg), arg, "nl")
    again = int(confirm.buttons[0].value)
    assert "gepland voor 2026-12-07 10:00" in press(AN_SEND, again)
    assert "al verstuurd" in press(AN_SEND, again)
    assert [a.state for a in w.store.listing()] == ["scheduled"]
    [usage] = w.feature.cmd_announce(command("telegram", TG_MOD, ""), "", "nl")
    assert "/aankondiging <tekst>" in usage.text


def test_scheduled_for_later_goes_out_once_across_two_replicas(db):
    clock = Clock(NOW)
    a, b = World(db, clock), World(db, clock)
    ann = a.store.create("slack:" + MOD, "Morgen gesloten", when="2026-12-02 08:00")  # 07:00 UTC
    assert ann.state == "scheduled" and ann.at == datetime(2026, 12, 2, 7, 0)
    assert a.scheduler.run_due() == [SETTLE_JOB] and b.scheduler.run_due() == []
    assert a.deliver() == 0
    clock.now = datetime(2026, 12, 2, 7, 0)
    ran = at_once(lambda world: world.scheduler.run_due(), (a, b))
    names = [n for r in ran for n in r]  # the send run once; the settle job (its safety net) may run too
    assert names.count(f"{SEND_JOB}:{ann.id}") == 1 and set(names) <= {f"{SEND_JOB}:{ann.id}", SETTLE_JOB}
    a.store.settle_all(clock())  # the safety net finds it sent: nothing again
    assert a.deliver() == 4 and len(a.slack.posts) == 3  # C1, C2, the report; the Telegram post
    assert a.deliver() == 0 and b.deliver() == 0
    assert a.store.get(ann.id).state == "sent" and a.store.get(ann.id).delivered == 3


def test_one_failing_channel_never_blocks_the_others_and_the_report_says_why(w):
    w.slack.refuse["C2"] = "not_in_channel"
    ann = w.store.create("telegram:" + TG_MOD, "Nieuwe website!")
    assert w.deliver() == 2  # C1 and Telegram went; C2 failed
    assert w.dms("telegram", TG_MOD) == []  # not settled yet: C2 is retried
    for _ in range(MAX_ATTEMPTS):
        w.clock.advance(minutes=11)
        w.deliver()
    assert w.store.settle_all(w.clock()) == {"sent": 0, "reported": 1}
    w.deliver()
    [report] = w.dms("telegram", TG_MOD)
    assert report.startswith(f"Verslag van aankondiging #{ann.id}: 2 van 3")
    assert "slack:C2: niet gelukt" in report and "not_in_channel" in report
    assert w.store.settle_all(w.clock())["reported"] == 0  # once
    states = {d.target.label: (d.state, d.error) for d in w.store.get(ann.id).deliveries}
    assert states["slack:C2"] == ("failed", "slack: could not post: not_in_channel")


def test_a_platform_that_is_not_running_is_reported_as_waiting(w):
    w.store.create("slack:" + MOD, "Hallo")
    asyncio.run(w.outbox.deliver({"slack": w.slack}))  # no Telegram sender in this process
    w.clock.advance(minutes=31)
    w.store.settle_all(w.clock())
    asyncio.run(w.outbox.deliver({"slack": w.slack}))
    [report] = w.dms("slack", MOD)
    assert "2 van 3" in report and "telegram:-1001: nog niet afgeleverd (nog niet geprobeerd)" in report


def test_edit_and_withdraw_reach_every_platform_and_telegram_after_48_hours_gets_a_notice(w):
    first = w.store.create("cli", "Versie 1")
    w.deliver()
    change = w.store.edit(first.id, "Versie 2", "cli")
    assert change.updated == 3 and w.deliver() == 3
    assert sorted(text for _, text in w.slack.updates + w.telegram.updates) == ["Versie 2"] * 3
    assert w.store.get(first.id).state == "edited"
    w.clock.advance(hours=47)  # within Telegram's 48 hours: deleted everywhere
    gone = w.store.withdraw(first.id, "cli")
    assert (gone.deleted, gone.noticed) == (3, 0) and w.deliver() == 3
    assert [p.chat_id for p in w.slack.deletes] == ["C1", "C2"] and len(w.telegram.deletes) == 1
    assert {d.state for d in w.store.get(first.id).deliveries} == {"withdrawn"}
    second = w.store.create("cli", "Later ingetrokken")
    w.deliver()
    w.clock.advance(hours=49)  # too late for Telegram to delete: edited to a notice
    gone = w.store.withdraw(second.id, "cli")
    assert (gone.deleted, gone.noticed) == (2, 1) and w.deliver() == 3
    assert w.telegram.updates[-1][1] == "Deze aankondiging is ingetrokken door de moderators."
    assert len(w.telegram.deletes) == 1 and len(w.slack.deletes) == 4


def test_edit_and_withdraw_before_sending(w):
    later = w.store.create("cli", "Eerste tekst", when="2026-12-03 10:00")
    assert w.store.edit(later.id, "Tweede tekst", "cli").updated == 0
    w.clock.now = datetime(2026, 12, 3, 9, 0)
    w.scheduler.run_due()
    w.deliver()
    assert {r.text for r in w.slack.posts + w.telegram.posts} == {"Tweede tekst"}
    cancelled = w.store.create("cli", "Gaat niet door", when="2026-12-04 10:00")
    w.store.withdraw(cancelled.id, "cli")
    w.clock.now = datetime(2026, 12, 4, 9, 0)
    w.scheduler.run_due()
    assert w.deliver() == 0 and w.store.get(cancelled.id).state == "withdrawn"
    queued = w.store.create("cli", "Net te laat")  # queued, not yet sent: the rows are dropped
    w.store.withdraw(queued.id, "cli")
    assert w.deliver() == 0


def test_an_edit_that_crosses_a_send_in_flight_is_caught_up(w):
    ann = w.store.create("cli", "Oud")
    held = w.outbox.lease(frozenset({"slack", "telegram"}))  # a sender holds the rows right now
    w.store.edit(ann.id, "Nieuw", "cli")
    for item in held:
        w.outbox.sent(item, [Posted(item.reply.chat.chat_id, "9")])  # what went out was "Oud"
    w.deliver()
    assert sorted(text for _, text in w.slack.updates + w.telegram.updates) == ["Nieuw"] * 3


def test_moderators_only_and_the_refusal_names_them(w):
    member = command("slack", "UANNA", "Ik wil ook", trigger="t2")
    [refused] = w.feature.cmd_announce(member, "Ik wil ook", "nl")
    assert refused.form is None and "alleen een moderator" in refused.text and "slack:UMOD" in refused.text
    assert (
        "moderator"
        in w.feature.cmd_list(command("telegram", "99", "", name="aankondigingen"), "", "nl")[0].text
    )
    sub = FormSubmit(ChatRef("slack", "UANNA"), "UANNA", FORM, (("text", "x"),), "nl")
    assert "moderator" in w.feature.on_form(sub).replies[0].text
    ann = w.store.create("cli", "Echt")
    [r] = w.feature.on_action(Action(ChatRef("telegram", "99"), "99", AN_SEND, ann.id))
    assert "moderator" in r.text and w.store.listing()[0].text == "Echt"


def test_the_moderators_list_edit_and_withdraw_in_chat(w):
    w.store.create("slack:" + MOD, "Open dag zaterdag")
    w.store.create("slack:" + MOD, "Kerst", when="2026-12-20 12:00")

    def say(arg: str) -> str:
        return w.feature.cmd_list(command("slack", MOD, arg, name="aankondigingen"), arg, "nl")[0].text

    listed = say("")
    assert "#2 · gepland · 2026-12-20 12:00 · 0/3 bereikt · Kerst" in listed and "#1 · verstuurd" in listed
    assert "aangepast" in say("wijzig 1 Open dag zondag")
    assert "ingetrokken" in say("intrekken 2") and "al ingetrokken" in say("intrekken 2")
    assert "ken ik niet" in say("wijzig 99 x") and "wijzig <nr>" in say("wijzig x")


def test_reading_times_and_command_lines():
    assert parse_when("2026-12-07 10:00", NOW) == datetime(2026, 12, 7, 9, 0)
    assert parse_when("2026-07-07 10:00", datetime(2026, 6, 1)) == datetime(2026, 7, 7, 8, 0)  # summer time
    assert parse_when("", NOW) is None and parse_when("nu", NOW) is None
    assert parse_when("morgen 9:30", NOW) == datetime(2026, 12, 2, 8, 30)
    w = split_command("at 2026-12-07 10:00\nto slack:C1\nLine one\nline two")
    assert (w.when, w.to, w.text) == ("2026-12-07 10:00", "slack:C1", "Line one\nline two")
    assert split_command("om de hoek is een feest").text == "om de hoek is een feest"  # one line: all text


runner = CliRunner()


def test_the_cli_announces_lists_edits_and_withdraws_with_one_line_errors(tmp_path):
    env = {
        "VERBINDER_DATA_DIR": str(tmp_path / "data"),
        "COLUMNS": "200",
        "VERBINDER_ANNOUNCEMENT_CHANNELS_SLACK": "C1,C2",
        "VERBINDER_ANNOUNCEMENT_CHANNELS_TELEGRAM": "-1001/7",
    }

    def run(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, list(args), env=env)

    open_settings_database(make_settings(tmp_path / "data"))
    for bad, says in (
        (("announce", " "), "no text"),
        (("announce", "x" * 3001), "maximum is 3000"),
        (("announce", "x", "--at", "2020-01-01 10:00"), "has passed"),
        (("announce", "x", "--at", "soon"), "can't read 'soon'"),
        (("announce", "x", "--to", "slack:C9"), "no announcement channel"),
        (("announcements", "edit", "7", "x"), "don't know announcement #7"),
        (("announcements", "withdraw", "7"), "don't know announcement #7"),
    ):
        r = run(*bad)
        assert r.exit_code == 2 and says in r.output and "Traceback" not in r.output, (bad, r.output)
        assert len(r.output.strip().splitlines()) == 1, r.output
    r = run("announce", "Nieuwe openingstijden", "--to", "slack:C1,telegram:-1001/7")
    assert r.exit_code == 0 and "#1 sent" in r.output and "slack:C1, telegram:-1001/7" in r.output
    later = (datetime.now() + timedelta(days=3)).strftime("%Y-%m-%d 10:00")
    assert "#2 scheduled" in run("announce", "Later", "--at", later).output
    listed = run("announcements", "list").output
    assert "slack:C1 pending" in listed and "scheduled" in listed and "Nieuwe openingstijden" in listed
    assert "was changed" in run("announcements", "edit", "1", "Andere tijden").output
    assert "withdrawn" in run("announcements", "withdraw", "2").output
    assert run("announcements", "withdraw", "2").exit_code == 2
