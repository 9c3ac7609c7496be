"""Weekly highlights: composed from a week the real core lived through, and rendered within limits.

Members ask through the service, experts answer with /antwoord and decide on publishing with the
buttons, tips, projects and events go through the moderation queue. Posting, the schedule and the
preview buttons are tested in test_highlights_posting.py.
"""

from __future__ import annotations

import html.parser
import json
import string
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from support.chat import World, cmd, dm, msg, reset_conversations
from support.clock import Clock
from support.docs import make_settings
from support.slack_rules import check_blocks
from typer.testing import CliRunner

from app.cli import app
from app.runtime import Runtime, build_runtime
from bot.community.records import PENDING
from bot.highlights.compose import (
    Contribution,
    ExpertAnswer,
    Highlights,
    UpcomingEvent,
    Waiting,
    compose,
    parse_week,
    week_bounds,
    week_of,
)
from bot.highlights.render import plain, slack, telegram, tg_len, to_plain
from bot.messages import KB_APPROVE, KB_NO, KB_YES, Action, ChatRef
from bot.people.store import CLI
from bot.texts import t
from bot.texts.highlights import HIGHLIGHTS

AMS = ZoneInfo("Europe/Amsterdam")
ASK_KOOR = "Hoe vind ik een koor voor mijn moeder met dementie in Utrecht?"
ASK_ZANG = "Hoe organiseer ik een zangmiddag voor mensen met dementie in Groningen?"
ASK_FONDS = "Welk fonds betaalt een theaterproject met jongeren in Rotterdam?"
ANSWERABLE = "Waar repeteert het seniorenkoor voor eenzame ouderen?"
cli = CliRunner()


def utc(local: str) -> datetime:
    """A local Amsterdam time ('2026-12-06 23:30') as the naive UTC the database stores."""
    return datetime.fromisoformat(local).replace(tzinfo=AMS).astimezone(UTC).replace(tzinfo=None)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Runtime:
    rt = build_runtime(make_settings(tmp_path_factory.mktemp("highlights") / "data"))
    assert rt.ingest([corpus_dir]).ok
    return rt


@pytest.fixture
def w(base: Runtime) -> World:
    reset_conversations(base)
    rt = replace(base, settings=base.settings.model_copy(update={"max_waiting_submissions": 50}))
    clock = Clock(utc("2026-12-01 10:00"))  # Tuesday of week 49
    world = World(rt, rt.bot(clock), clock)
    x = world.core.experts
    x.add("Sanne", slack_user_id="USAN", expertise="dementie en muziek, zingen", tags="dementie, muziek")
    x.add("Fatima", slack_user_id="UFAT", expertise="financiering en fondsen", tags="financiering")
    return world


def share(
    w: World, kind: str, title: str, who: tuple[str, str, str] = ("telegram", "555", "Anna"), **f: str
) -> int:
    """A member's tip, project or event, approved by a moderator at the clock's time; its id."""
    platform, uid, name = who
    author = w.core.people.person(platform, uid, name)
    values = {"title": title, "text": f.pop("text", f"Over {title.lower()}, met en voor bewoners."), **f}
    q = w.core.community.queue
    sub = q.submit(author, platform, uid, dm(platform, uid), kind, values, "nl")
    assert sub.state == PENDING, sub.duplicate
    q.approve(sub.id, CLI, "tester")
    return sub.id


def ask(w: World, text: str, user: str = "555") -> int:
    [r] = w.handle(msg("telegram", user, text, name="Anna"))
    return r.question_id


def answer(w: World, expert: str, qid: int, text: str, publish: bool | None) -> None:
    """The expert answers with /antwoord and (unless None) says yes or no to publishing."""
    assert w.handle(cmd("slack", expert, "antwoord", f"{qid} {text}")) == []
    if publish is not None:
        w.say("slack", expert, KB_YES if publish else KB_NO, qid)


def all_text(h: Highlights) -> str:
    """Everything every renderer says, in both languages."""
    out = [plain(h, lang) for lang in ("nl", "en")]
    for lang in ("nl", "en"):
        text, blocks, thread = slack(h, lang)
        out += [text, json.dumps(blocks, ensure_ascii=False), json.dumps(thread, ensure_ascii=False)]
        out += telegram(h, lang)
    return "\n".join(out)


def test_a_busy_week_from_the_real_core(w):
    share(w, "tip", "Zingen in de tram", region="Overijssel", themes="muziek, dementie")
    share(
        w,
        "project",
        "Schilderen met statushouders",
        who=("slack", "UPIM", "Pim"),
        link="https://example.org/s",
    )
    share(w, "tip", "Dansles in het buurthuis", who=("telegram", "556", ""))  # no display name
    for title, day in (
        ("Open atelier", "2026-12-09"),
        ("Kerstkoor", "2026-12-20"),
        ("Te laat", "2026-12-21"),
    ):
        share(w, "event", title, date=day, time="14:00", place="Arnhem", region="Gelderland")
    share(w, "event", "Al geweest", date="2026-12-05", place="Ede")
    assert not w.handle(msg("telegram", "557", ANSWERABLE))[0].routed
    koor, fonds, zang = ask(w, ASK_KOOR), ask(w, ASK_FONDS, "558"), ask(w, ASK_ZANG, "559")
    w.clock.advance(hours=2)
    answer(w, "USAN", koor, "Probeer buurtkoor Stemmig in Utrecht-Oost, elke donderdag.", publish=True)
    answer(
        w, "UFAT", fonds, "Het Fonds voor Cultuurparticipatie, regeling Samen Cultuur Maken.", publish=False
    )
    w.clock.advance(days=7)  # next week: the highlights of week 49 are composed
    h = compose(w.rt.sessions, "2026-W49", clock=w.clock)

    assert (h.monday, h.sunday, h.empty) == ("2026-11-30", "2026-12-06", False)
    assert [(c.kind, c.title, c.author) for c in h.contributions] == [
        ("tip", "Zingen in de tram", "Anna"),
        ("project", "Schilderen met statushouders", "Pim"),
        ("tip", "Dansles in het buurthuis", ""),
    ]
    assert h.contributions[0].themes == ("muziek", "dementie") and h.contributions[1].link.endswith("/s")
    assert [e.title for e in h.events] == ["Open atelier", "Kerstkoor"]  # 7–20 December only
    # Sanne agreed to publish: credited, and in the knowledge base; Fatima did not: only counted.
    assert h.expert_answers == (ExpertAnswer(koor, ASK_KOOR, "Sanne", True),)
    assert [(k.question_id, k.path) for k in h.kb_answers] == [(koor, f"qa/vraag-{koor}.md")]
    assert (h.expert_answered, h.bot_answered, h.asked) == (2, 1, 4)
    assert [(x.question_id, x.claimed) for x in h.waiting] == [(zang, False)]
    assert "dementie" in h.waiting[0].themes
    assert [(x.theme, x.count) for x in h.topics[:2]] == [("muziek", 3), ("dementie", 2)]
    json.dumps(h.to_dict())  # serialisable as it is

    text = all_text(h)
    for said in ("Zingen in de tram", "Pim", "een lid", "a member", "Sanne", "Kerstkoor", f"#{zang}"):
        assert said in text, said
    for unsaid in ("Fatima", ASK_FONDS, ASK_ZANG, "Te laat", "Al geweest", "556"):
        assert unsaid not in text, unsaid
    nl = plain(h, "nl")
    assert "Vragen beantwoord: 3 (door de bot 1, door experts 2)" in nl
    assert "Daarnaast beantwoord, niet voor publicatie: 1" in nl
    assert "Meest gevraagd: muziek (3), dementie (2), " in nl
    # Week 50 has none of it; its upcoming events are those from 14 December.
    later = compose(w.rt.sessions, "2026-W50", clock=w.clock)
    assert not later.contributions and not later.expert_answers and later.asked == 0
    assert [e.title for e in later.events] == ["Kerstkoor", "Te laat"] and not later.empty


def test_consent_pending_undecided_and_declined(w):
    koor, zang, fonds = ask(w, ASK_KOOR), ask(w, ASK_ZANG, "558"), ask(w, ASK_FONDS, "559")
    answer(w, "USAN", koor, "Buurtkoor Stemmig.", publish=None)  # not decided yet
    answer(w, "UFAT", fonds, "Een fonds.", publish=False)
    h = compose(w.rt.sessions, "2026-W49", clock=w.clock)
    assert h.expert_answers == () and h.expert_answered == 2 and "Sanne" not in all_text(h)
    # With moderator approval a yes is "pending": the expert agreed, so the credit is given.
    rt = replace(w.rt, settings=w.rt.settings.model_copy(update={"kb_approval": True}))
    core = rt.bot(w.clock)
    assert core.service.handle(cmd("slack", "USAN", "antwoord", f"{zang} Zangschool Groningen.")) == []
    [r] = core.service.handle_action(Action(ChatRef("slack", "DSAN"), "USAN", KB_YES, zang))
    assert r.text == t("kb_pending", "nl")
    h = compose(w.rt.sessions, "2026-W49", clock=w.clock)
    assert h.expert_answers == (ExpertAnswer(zang, ASK_ZANG, "Sanne", False),) and h.kb_answers == ()
    assert "Fatima" not in all_text(h)
    # A moderator approves it the week after: it is new in the knowledge base in that week.
    core.people.grant("cli", core.people.person("slack", "UMOD"), "moderator")
    w.clock.now = utc("2026-12-08 10:00")  # Tuesday of week 50
    core.service.handle_action(Action(ChatRef("slack", "DMOD"), "UMOD", KB_APPROVE, zang))
    assert [a.question_id for a in compose(w.rt.sessions, "2026-W50", clock=w.clock).kb_answers] == [zang]
    assert compose(w.rt.sessions, "2026-W49", clock=w.clock).kb_answers == ()


def test_sunday_night_and_monday_morning_fall_in_their_own_weeks(w):
    w.clock.now = utc("2026-12-06 23:30")
    share(w, "tip", "Op zondagavond")
    w.clock.now = utc("2026-12-07 00:30")
    share(w, "tip", "Op maandagnacht")
    first, second = (compose(w.rt.sessions, wk, clock=w.clock) for wk in ("2026-W49", "2026-W50"))
    assert [c.title for c in first.contributions] == ["Op zondagavond"]
    assert [c.title for c in second.contributions] == ["Op maandagnacht"]
    assert week_of(utc("2026-12-06 23:30")) == "2026-W49" and week_of(utc("2026-12-07 00:30")) == "2026-W50"


def test_the_week_summer_time_ends_has_169_hours(w):
    # 25 October 2026, 03:00 CEST -> 02:00 CET: a fixed UTC offset would move one edge by an hour.
    start, end = week_bounds("2026-W43")
    assert (start, end) == (datetime(2026, 10, 18, 22, 0), datetime(2026, 10, 25, 23, 0))
    assert end - start == timedelta(hours=169)
    moments = {
        "Zondag ervoor laat": "2026-10-18 23:30",  # W42
        "Maandag vroeg": "2026-10-19 00:30",  # W43, summer time
        "Zondag laat": "2026-10-25 23:30",  # W43, winter time
        "Maandag erna vroeg": "2026-10-26 00:30",  # W44
    }
    for title, local in moments.items():
        w.clock.now = utc(local)
        share(w, "tip", title)
    h = compose(w.rt.sessions, "2026-W43", clock=w.clock)
    assert [c.title for c in h.contributions] == ["Maandag vroeg", "Zondag laat"]
    # ... and the change to summer time (29 March 2026) gives a week of 167 hours.
    start, end = week_bounds("2026-W13")
    assert end - start == timedelta(hours=167)


def test_an_empty_week_says_so_briefly(w):
    h = compose(w.rt.sessions, "2026-W49", clock=w.clock)
    assert h.empty and h.to_dict()["empty"] is True
    text, blocks, thread = slack(h, "nl")
    assert "rustige week" in text and thread == [] and check_blocks(blocks) is None and len(blocks) <= 3
    [part] = telegram(h, "en")
    assert "quiet week" in part and tg_len(part) < 300
    assert "rustige week" in plain(h)
    # Only events coming up: something to say after all.
    share(w, "event", "Winterconcert", date="2026-12-10", place="Zwolle")
    assert not compose(w.rt.sessions, "2026-W49", clock=w.clock).empty


def test_bad_weeks_are_refused_clearly():
    assert parse_week("2026-W53").isoformat() == "2026-12-28"  # 2026 has 53 ISO weeks
    for bad, said in (
        ("2025-W53", "no week 53"),
        ("2026-49", "ISO week"),
        ("W49", "ISO week"),
        ("2026-W00", "no week"),
    ):
        with pytest.raises(ValueError, match=said):
            parse_week(bad)


def _many(n: int) -> Highlights:
    nasty = "Kunst & zorg <b>niet vet</b> *ster* _lijn_ `code` 🎨 " * 6
    url = "https://example.org/" + "a&b" * 300
    return Highlights(
        "2026-W49",
        "Europe/Amsterdam",
        "2026-11-30",
        "2026-12-06",
        "2026-12-07T08:00:00+00:00",
        tuple(Contribution(i, "tip", nasty, nasty, nasty, url, ()) for i in range(n)),
        tuple(ExpertAnswer(i, nasty, nasty, True) for i in range(n)),
        (),
        tuple(UpcomingEvent(i, nasty, "2026-12-08", "", nasty, url) for i in range(n)),
        (),
        tuple(Waiting(i, ("dementie", "muziek"), "2026-12-01", i % 2 == 0) for i in range(n)),
        n,
        n,
        n,
    )


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("b", "i", "a", "code") or (tag == "a" and [k for k, _ in attrs] != ["href"]):
            self.bad.append(tag)
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.bad.append(f"/{tag}")


@pytest.mark.parametrize("n", [1, 25, 400])
def test_many_items_stay_within_the_platform_limits(n):
    h = _many(n)
    for lang in ("nl", "en"):
        text, blocks, thread = slack(h, lang)
        assert check_blocks(blocks) is None and len(text) <= 3000
        assert blocks[0]["type"] == "header" and len(blocks[0]["text"]["text"]) <= 150
        for reply_text, reply_blocks in thread:
            assert check_blocks(reply_blocks) is None, reply_blocks
            assert 1 <= len(reply_text) <= 3000
        assert "&lt;b&gt;" in json.dumps(thread) and "<b>" not in json.dumps(thread)
        for limit in (4096, 700):
            parts = telegram(h, lang, limit=limit)
            for part in parts:
                assert tg_len(part) <= limit and tg_len(to_plain(part)) <= limit
                tags = _Tags()
                tags.feed(part)
                assert tags.bad == [] and tags.stack == [], part
            assert "&lt;b&gt;niet vet&lt;/b&gt;" in "".join(parts)
    if n > 20:
        assert f"en nog {n - 20}" in plain(h)


def test_every_text_in_both_languages_with_the_same_fields():
    for key, entry in HIGHLIGHTS.items():
        assert set(entry) == {"nl", "en"}, key
        fields = [{f for _, f, _, _ in string.Formatter().parse(entry[lang]) if f} for lang in ("nl", "en")]
        assert fields[0] == fields[1], key


def test_cli_preview_prints_literally_and_refuses_bad_weeks(w, base):
    share(w, "tip", "[bold]Kunst[/bold] & <zorg>", who=("telegram", "560", "Bea [red]"))
    env = {"VERBINDER_DATA_DIR": str(base.settings.data_dir), "COLUMNS": "80"}
    r = cli.invoke(app, ["highlights", "preview", "--week", "2026-W49"], env=env)
    assert r.exit_code == 0, r.output
    assert "[bold]Kunst[/bold] & <zorg>" in r.output and "Bea [red]" in r.output
    r = cli.invoke(app, ["highlights", "preview", "--week", "2026-W49", "--json"], env=env)
    data = json.loads(r.output)
    assert data["week"] == "2026-W49" and data["contributions"][0]["author"] == "Bea [red]"
    r = cli.invoke(app, ["highlights", "preview", "--week", "2026-W49", "--as", "telegram"], env=env)
    assert "&lt;zorg&gt;" in r.output
    for bad in ("2026-W60", "volgende week"):
        r = cli.invoke(app, ["highlights", "preview", "--week", bad], env=env)
        assert r.exit_code == 2 and "Traceback" not in r.output
        assert len(r.output.strip().splitlines()) == 1 and r.output.startswith("Error:"), r.output
    assert cli.invoke(app, ["highlights", "preview"], env=env).exit_code == 0  # the current week
