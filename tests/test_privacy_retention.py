"""Retention with a controllable clock: what is older than its setting goes (published questions stay
anonymised), the dry run counts the same, and the moderators hear when the daily job did not run.
And the `verbinder privacy` commands, with a clear line for an unknown person."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import update
from support.chat import FakePlatforms, World, msg, reset_conversations
from support.clock import Clock
from support.docs import make_settings
from typer.testing import CliRunner

from app.cli import app
from app.runtime import Runtime, build_runtime, open_settings_database
from bot.experts.records import RoutingRecord
from bot.messages import HELPFUL, Action, ChatRef
from bot.people.store import People
from bot.privacy.retention import RETENTION_JOB
from bot.privacy.traces import find

MEMBER = ("telegram", "730012345")
MOD = ("slack", "UMODERAT1")
runner = CliRunner()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Runtime:
    rt = build_runtime(make_settings(tmp_path_factory.mktemp("retention") / "data"))
    assert rt.ingest([corpus_dir]).ok
    return rt


def world(base: Runtime, **overrides: object) -> World:
    reset_conversations(base)
    settings = {"moderators": f"{MOD[0]}:{MOD[1]}", **overrides}
    rt = replace(base, settings=base.settings.model_copy(update=settings))
    clock = Clock()
    return World(rt, rt.bot(clock), clock, FakePlatforms())


def ask(w: World, text: str) -> int:
    [r] = w.handle(msg(*MEMBER, text, name="Marieke"))
    assert r.question_id is not None
    return r.question_id


def test_retention_deletes_and_anonymises_by_age_and_the_dry_run_counts_it(base):
    w = world(base, retention_questions_days=300, retention_answers_days=100, retention_logs_days=30)
    privacy = w.core.privacy
    assert privacy is not None
    old = ask(w, "Wat is kunst op recept?")
    w.core.service.handle_action(Action(ChatRef(*MEMBER), MEMBER[1], HELPFUL, old))
    published = ask(w, "Hoe werkt een koor voor mensen met dementie?")
    with w.rt.sessions.begin() as s:  # as if an expert's answer to it was published
        if s.get(RoutingRecord, published) is None:
            s.add(RoutingRecord(question_id=published, routed_at=w.clock(), kb_status="published"))
        s.execute(
            update(RoutingRecord).where(RoutingRecord.question_id == published).values(kb_status="published")
        )
    w.clock.advance(days=200)
    recent = ask(w, "Wie betaalt een theaterproject met ouderen?")
    assert w.store.get(recent).answer
    # Day 200: the answers of the first two are past 100 days, the logs of then past 30.
    dry = privacy.retention.preview()
    assert dry["questions"] == {"deleted": 0, "anonymised": 0}
    assert dry["answers"]["questions.answer"] == 1  # the published one keeps its answer
    assert dry["logs"]["handled_events"] == 2
    assert privacy.retention.preview() == dry  # a dry run changes nothing
    w.clock.advance(days=101)  # day 301: the first two questions are past 300 days
    dry = privacy.retention.preview()
    assert dry["questions"] == {"deleted": 1, "anonymised": 1}
    assert dry["answers"]["questions.answer"] == 2 and dry["logs"]["handled_events"] == 3
    assert [n for n in w.core.scheduler.run_due() if n == RETENTION_JOB] == [RETENTION_JOB]
    assert w.store.get(old) is None
    kept = w.store.get(published)
    assert (
        kept is not None and kept.text and kept.user_id == "" and kept.user_name == "" and kept.chat_id == ""
    )
    assert [e.actor for e in w.store.events(published) if e.actor == MEMBER[1]] == []
    with w.rt.sessions() as s:  # what still names the member belongs to the question of day 200
        left = {(tr.table, tr.key) for tr in find(s, [MEMBER[1], "Marieke"]) if tr.table == "questions"}
    assert left == {("questions", (recent,))}
    assert w.store.get(recent).answer == ""  # day 101 of its life: past the 100 days of answers
    assert privacy.retention.preview()["questions"] == {"deleted": 0, "anonymised": 0}
    assert privacy.retention.last_run() == w.clock() and not privacy.retention.overdue()


def test_the_moderators_are_told_when_the_retention_job_has_not_run(base):
    w = world(base)
    privacy = w.core.privacy
    assert privacy is not None
    assert privacy.retention.overdue()  # never ran: the bot did not start yet
    w.core.scheduler.run_due()  # the first start runs it at once
    assert not privacy.retention.overdue() and w.deliver() == []
    w.clock.advance(days=3)  # the bot was down for three days; at its start the watch is due first
    w.core.scheduler.run_due()
    alerts = [s for s in w.deliver() if s.reply.chat.chat_id == MOD[1]]
    assert len(alerts) == 1 and "bewaartermijn" in alerts[0].reply.text
    w.clock.advance(hours=7)
    w.core.scheduler.run_due()
    assert w.deliver() == []  # it ran again meanwhile: no second alert


def test_the_cli_exports_forgets_and_runs_retention_with_clear_errors(tmp_path):
    data = tmp_path / "data"
    env = {"VERBINDER_DATA_DIR": str(data), "VERBINDER_SAMPLE_KB": "false", "COLUMNS": "200"}

    def run(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, list(args), env=env)

    sessions = open_settings_database(make_settings(data))
    people = People(sessions)
    person = people.person(*MEMBER, "Marieke Zonnebloem")
    people.new_link_code(*MEMBER)
    for args in (("export", "telegram:999"), ("forget", "Niemand"), ("export", "#4242")):
        out = run("privacy", *args)
        assert out.exit_code == 1 and "I don't know" in out.output and "Traceback" not in out.output
    assert people.find("telegram", "999") is None  # looking up did not make anyone
    out = run("privacy", "export", "telegram:730012345")
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["person"]["name"] == "Marieke Zonnebloem" and doc["tables"]["link_codes"]
    file = tmp_path / "export.json"
    out = run("privacy", "export", f"#{person.id}", "--out", str(file))
    assert (
        out.exit_code == 0 and file.exists() and file.with_suffix(".csv").read_text().startswith("table,row")
    )
    out = run("privacy", "retention", "--dry-run")
    assert out.exit_code == 0 and "questions: deleted 0" in out.output and "never" in out.output
    assert "has not run" in out.output
    out = run("privacy")
    assert "What Verbinder stores" in out.output and "365 days" in out.output
    out = run("privacy", "forget", "Marieke Zonnebloem")
    assert out.exit_code == 0 and "will be forgotten on" in out.output
    out = run("privacy", "forget", "Marieke Zonnebloem", "--now")
    assert out.exit_code == 0 and "is forgotten" in out.output, out.output
    assert people.find(*MEMBER) is None
    out = run("privacy", "retention")
    assert out.exit_code == 0 and "went" in out.output
