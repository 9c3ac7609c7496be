"""The report where it could break: the weekly post by two processes at once and after a restart,
odd `--out` folders, a database with questions but no routings, and gap questions of any length and
script sent through the fake platforms (their limits are the real ones)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from support.chat import World, reset_conversations
from support.clock import Clock
from support.docs import make_settings
from support.race import at_once
from test_insight import NOW, synthetic_month, write
from test_insight_files import verbinder

from app.runtime import Runtime, build_runtime
from bot.delivery.records import OutboxRecord
from bot.insight.feature import REPORT_JOB
from bot.insight.figures import compute
from bot.insight.gaps import clip
from bot.insight.report import Reports
from bot.messages import reply_from_dict
from storage.db import open_database

MOD_TG, MOD_SLACK = "42", "UMOD"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    settings = make_settings(
        tmp_path_factory.mktemp("insight_robust") / "data",
        moderators=f"telegram:{MOD_TG},slack:{MOD_SLACK}",
        report_weekly=True,
    )
    return build_runtime(settings)


def world(base: Runtime, clock: Clock) -> World:
    return World(base, base.bot(clock), clock)


def posted(w: World) -> int:
    """The weekly reports in the outbox."""
    with w.rt.sessions() as s:
        rows = s.scalars(select(OutboxRecord)).all()
    return sum(1 for r in rows if reply_from_dict(r.payload).text.startswith("Het wekelijkse rapport."))


def due(w: World) -> object:
    w.core.scheduler.ensure()
    [row] = [r for r in w.core.scheduler.rows() if r.name == REPORT_JOB]
    return row.due_at


def test_two_processes_started_together_post_the_weekly_report_once(base: Runtime) -> None:
    reset_conversations(base)
    write(base.sessions, synthetic_month())
    clock = Clock(NOW)
    a, b = world(base, clock), world(base, clock)
    clock.now = due(a)  # type: ignore[assignment]
    ran = at_once(lambda w: w.core.scheduler.run_due(), (a, b))
    assert sum(names.count(REPORT_JOB) for names in ran) == 1
    assert posted(a) == 2  # two moderators, once each


def test_the_weekly_report_is_posted_once_when_the_job_is_run_twice_at_once(base: Runtime) -> None:
    # A lease that ran out (a slow run) lets a second process take the same run: still one post.
    reset_conversations(base)
    write(base.sessions, synthetic_month())
    clock = Clock(NOW + timedelta(days=5))
    a, b = world(base, clock), world(base, clock)
    errors: list[BaseException] = []

    def start(w: World) -> int | None:
        try:
            return w.core.insight.run_weekly(clock())
        except Exception as exc:  # noqa: BLE001 - a failed run is retried by the scheduler: fine
            errors.append(exc)
            return None

    sent = [n for n in at_once(start, (a, b)) if n is not None]
    assert sorted(sent) in ([0, 2], [2]) and posted(a) == 2, (sent, errors)


def test_after_a_restart_the_week_is_not_posted_again(base: Runtime) -> None:
    reset_conversations(base)
    write(base.sessions, synthetic_month())
    clock = Clock(NOW)
    first = world(base, clock)
    clock.now = due(first)  # type: ignore[assignment]
    assert REPORT_JOB in first.core.scheduler.run_due()
    # The job row is reset as if the run had not been recorded (a crash after the post, before the
    # scheduler wrote its result); a new process at the same moment: the week is done already.
    with base.sessions.begin() as s:
        from bot.delivery.records import JobRecord

        s.execute(
            update(JobRecord).where(JobRecord.name == REPORT_JOB).values(due_at=clock(), lease_until=None)
        )
    clock.advance(hours=1)
    second = world(base, clock)
    assert REPORT_JOB in second.core.scheduler.run_due()
    assert posted(second) == 2


def test_questions_without_any_routing(tmp_path: Path) -> None:
    sessions = open_database(f"sqlite:///{tmp_path / 'q.db'}")
    m = synthetic_month()
    m.routings = []
    write(sessions, m)
    f = compute(sessions, 4, clock=lambda: NOW)
    assert f.asked > 0 and f.total("routed") == 0 and f.claim.n == 0 and f.experts_active == 0
    text = Reports(sessions, clock=lambda: NOW).build(4).text("nl")
    assert "Naar experts: geen vragen" in text and "Per expert" not in text


def test_verbinder_report_out_an_existing_file_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    write(open_database(f"sqlite:///{(data / 'verbinder.db').resolve()}"), synthetic_month())
    monkeypatch.setattr("app.cli_report.utcnow", lambda: NOW)
    target = tmp_path / "report.png"
    target.write_bytes(b"old")
    done = verbinder(data, "--out", str(target))
    assert done.exit_code == 2 and "Traceback" not in done.output  # type: ignore[attr-defined]
    assert f"Error: cannot write to {target}" in done.output  # type: ignore[attr-defined]
    assert target.read_bytes() == b"old"
    for bad in ("abc", "4.5", ""):
        done = verbinder(data, "--weeks", bad)
        assert done.exit_code == 2 and "Traceback" not in done.output, bad  # type: ignore[attr-defined]


def test_questions_of_any_length_and_script_in_a_gap(tmp_path: Path) -> None:
    sessions = open_database(f"sqlite:///{tmp_path / 'u.db'}")
    m = synthetic_month()
    long = "Waarom " + "👩🏽‍⚕️ zorg " * 400 + "?"
    for q in m.questions:
        if q["text"].startswith("Welke verzekering"):
            q["text"] = long
    write(sessions, m)
    report = Reports(sessions, clock=lambda: NOW).build(4)
    gap = next(g for g in report.gaps.gaps if g.question.startswith("Waarom"))
    assert len(gap.question) <= 160 and gap.question.endswith("…")
    assert len(report.text("nl")) < 4000


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Vraag " + "👨‍👩‍👧‍👦" * 60, "👨‍👩‍👧‍👦"),  # a family: four emoji joined by ZWJ
        ("Vraag " + "🇳🇱" * 100, "🇳🇱"),  # a flag: two regional indicators
        ("Vraag " + "e\u0301" * 100, "e\u0301"),  # e with a combining accent
        ("Vraag " + "👍🏽" * 100, "👍🏽"),  # a thumb with its skin tone
    ],
)
def test_a_clipped_question_ends_on_a_whole_character(text: str, kept: str) -> None:
    for limit in (160, 159, 158, 157, 120):
        clipped = clip(text, limit)
        assert len(clipped) <= limit and clipped.endswith("…")
        body = clipped[: -len("…")]
        assert text.startswith(body) and body.endswith(kept), (limit, body[-8:])
        assert (len(body) - len("Vraag ")) % len(kept) == 0
