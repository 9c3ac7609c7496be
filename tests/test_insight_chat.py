"""/rapport in chat: refusals, the report privately with its charts and buttons, the CSV as a file,
the gap buttons (the /tip flow, the experts' router) and the weekly post, through the real core."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select
from support.chat import World, cmd, msg, reset_conversations
from support.clock import Clock
from support.docs import make_settings
from test_insight import NOW, synthetic_month, write

from app.runtime import Runtime, build_runtime
from bot.delivery.records import OutboxRecord
from bot.experts.records import RoutingRecord
from bot.insight.feature import IN_CSV, IN_EXPERT, IN_KB, REPORT_JOB, button_kind
from bot.insight.gaps import clip, quoted
from bot.messages import Action, ChatRef, reply_from_dict

MOD_TG, MOD_SLACK = "42", "UMOD"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    settings = make_settings(
        tmp_path_factory.mktemp("insight") / "data",
        moderators=f"telegram:{MOD_TG},slack:{MOD_SLACK}",
        report_weekly=True,
    )
    return build_runtime(settings)


@pytest.fixture
def w(base: Runtime) -> World:
    reset_conversations(base)
    clock = Clock(NOW)
    return World(base, base.bot(clock), clock)


@pytest.fixture
def month(w: World) -> World:
    write(w.rt.sessions, synthetic_month())
    return w


def test_members_are_refused_and_told_who_can(w: World) -> None:
    [r] = w.handle(cmd("telegram", "555", "rapport"))
    assert "Dat kan alleen een moderator" in r.text and not r.files
    [r] = w.handle(cmd("slack", "UMEMBER", "report", "csv", chat="C1"))
    assert r.ephemeral_user == "UMEMBER" and "moderator" in r.text and not r.files
    act = Action(ChatRef("telegram", "555"), "555", IN_CSV, 4)
    [r] = w.core.service.handle_action(act)
    assert "Dat kan alleen een moderator" in r.text and not r.files


def test_an_empty_database_has_nothing_to_report_yet(w: World) -> None:
    [r] = w.handle(cmd("telegram", MOD_TG, "rapport"))
    assert r.text.startswith("Nog niets te melden") and not r.files and not r.buttons
    [r] = w.handle(cmd("telegram", MOD_TG, "report"))  # the English name: the same report
    assert r.text.startswith("Nog niets te melden")


@pytest.mark.parametrize("arg", ["0", "-3", "53", "100000", "9" * 5000])
def test_weeks_out_of_range_get_a_clear_message(w: World, arg: str) -> None:
    [r] = w.handle(cmd("telegram", MOD_TG, "rapport", arg))
    shown = arg if len(arg) <= 12 else arg[:12] + "…"
    assert r.text == f"Kies 1 tot en met 52 weken (niet {shown})."


def test_a_word_that_is_no_number_gets_the_usage(w: World) -> None:
    for arg in ("veel", "--5", "4 5", "csv csv"):
        [r] = w.handle(cmd("telegram", MOD_TG, "rapport", arg))
        assert r.text.startswith("Gebruik: /rapport [weken]"), arg


def test_the_report_comes_privately_with_its_charts_and_buttons(month: World) -> None:
    [r] = month.handle(cmd("telegram", MOD_TG, "rapport"))
    assert r.chat == ChatRef("telegram", MOD_TG)
    assert r.text.startswith("Rapport voor moderators: 2 november – 29 november 2026")
    assert [f.mime for f in r.files] == ["image/png", "image/png"]
    assert all(f.data.startswith(b"\x89PNG") for f in r.files)
    actions = [button_kind(b.action) for b in r.buttons]
    assert actions[0] == IN_CSV and actions.count(IN_KB) == actions.count(IN_EXPERT) == 5
    # In a channel: the report goes to the moderator's private chat, the channel only says where.
    report, notice = month.handle(cmd("slack", MOD_SLACK, "rapport", "2", chat="CPUBLIC"))
    assert report.chat == ChatRef("slack", MOD_SLACK) and len(report.files) == 2
    assert "(2 weken: 2026-W47 – 2026-W48)" in report.text
    assert notice.chat.chat_id == "CPUBLIC" and notice.ephemeral_user == MOD_SLACK and not notice.files


def test_the_csv_comes_as_a_file_by_command_and_by_button(month: World) -> None:
    [r] = month.handle(cmd("telegram", MOD_TG, "rapport", "csv"))
    [f] = r.files
    assert f.mime == "text/csv" and f.name == "vragen-2026-W45_2026-W48.csv"
    assert f.data.decode("utf-8-sig").startswith("question,follow_up_of,asker,")
    [r] = month.core.service.handle_action(Action(ChatRef("telegram", MOD_TG), MOD_TG, IN_CSV, 1))
    [f] = r.files
    assert r.chat == ChatRef("telegram", MOD_TG) and "2026-W48.csv" in f.name


def gap_button(w: World, action: str) -> int:
    """The value of a gap button under the report: the representative question's id."""
    [r] = w.handle(cmd("telegram", MOD_TG, "rapport"))
    index = [button_kind(b.action) for b in r.buttons].index(action)
    return int(r.buttons[index].value)


def test_ask_an_expert_routes_the_gaps_question_as_the_moderators_own_once(month: World) -> None:
    [report] = month.handle(cmd("telegram", MOD_TG, "rapport"))
    pressed = [(b.action, int(b.value)) for b in report.buttons if button_kind(b.action) == IN_EXPERT]
    assert [a for a, _ in pressed] == [f"{IN_EXPERT}_{m}" for m in "abcde"]  # one action each (Slack)
    routed = 0
    for n, (action, qid) in enumerate(pressed):
        before = month.routings()
        act = Action(ChatRef("telegram", MOD_TG), MOD_TG, action, qid, event_id=f"e{n}")
        [r] = month.core.service.handle_action(act)
        if "al bij de experts" in r.text:  # the member's own question is still with the experts
            assert month.routings() == before
            continue
        routed += 1
        assert "naar de experts" in r.text and month.routings() == before + 1
        with month.rt.sessions() as s:
            newest = s.scalar(select(func.max(RoutingRecord.question_id)))
        q = month.store.get(int(newest))
        assert q is not None and q.user_id == MOD_TG and q.platform == "telegram"
        member = month.store.get(qid)
        assert member is not None and f"vraag {q.id}" in r.text
        assert q.text == quoted(member.text, member.user_name)  # the member's words, anonymised
        # Pressed again (another moderator, or twice): it is with the experts, not sent twice.
        again = Action(ChatRef("slack", "DMOD"), MOD_SLACK, IN_EXPERT, qid, event_id=f"again{n}")
        [r] = month.core.service.handle_action(again)
        assert f"al bij de experts (vraag {q.id})" in r.text and month.routings() == before + 1
    assert routed >= 1


def test_write_an_entry_opens_the_tip_flow_with_the_question_as_title(month: World) -> None:
    qid = gap_button(month, IN_KB)
    member = month.store.get(qid)
    assert member is not None
    title = clip(quoted(member.text, member.user_name), 120)
    # Slack (a press has a trigger): the /tip form opens with the title filled in.
    act = Action(ChatRef("slack", "DMOD"), MOD_SLACK, IN_KB, qid, event_id="k1", trigger="TRIG")
    [r] = month.core.service.handle_action(act)
    assert r.form is not None and dict((f.name, f.value) for f in r.form.fields)["title"] == title
    # Telegram, in the private chat: the steps start, the title already given.
    [r] = month.core.service.handle_action(
        Action(ChatRef("telegram", MOD_TG), MOD_TG, IN_KB, qid, event_id="k2")
    )
    assert r.form is None and r.chat.chat_id == MOD_TG and "/annuleren" in r.text


def test_the_weekly_report_goes_to_every_moderator_once_with_its_charts(month: World) -> None:
    assert REPORT_JOB in month.core.scheduler.jobs
    insight = month.core.insight
    assert insight.run_weekly(month.clock()) == 2  # two moderators, one account each
    assert insight.run_weekly(month.clock()) == 0  # the same week again: nothing
    with month.rt.sessions() as s:
        rows = list(s.scalars(select(OutboxRecord).order_by(OutboxRecord.id)))
    sent = [reply_from_dict(row.payload) for row in rows]
    assert {(r.chat.platform, r.chat.chat_id) for r in sent} == {("telegram", MOD_TG), ("slack", MOD_SLACK)}
    for r in sent:
        assert r.text.startswith("Het wekelijkse rapport.") and len(r.files) == 2
        assert all(f.data.startswith(b"\x89PNG") for f in r.files)  # base64 in the outbox and back
    delivered = month.deliver()
    assert {s.reply.chat.chat_id for s in delivered} == {MOD_TG, MOD_SLACK}
    assert all(len(s.reply.files) == 2 for s in delivered)


def test_the_weekly_job_runs_at_its_time_through_the_scheduler(base: Runtime) -> None:
    reset_conversations(base)
    rt = replace(base, settings=base.settings.model_copy(update={"report_day": 0, "report_time": "08:30"}))
    clock = Clock(NOW)
    w = World(rt, rt.bot(clock), clock)
    write(rt.sessions, synthetic_month())
    w.core.scheduler.ensure()
    [row] = [r for r in w.core.scheduler.rows() if r.name == REPORT_JOB]
    assert row.due_at.isoformat() == "2026-12-07T07:30:00"  # Monday 08:30 in Amsterdam (CET)
    clock.now = row.due_at
    assert REPORT_JOB in w.core.scheduler.run_due()
    assert {s.reply.chat.chat_id for s in w.deliver() if s.reply.files} == {MOD_TG, MOD_SLACK}


def test_starting_the_bot_does_not_import_matplotlib(tmp_path: Path) -> None:
    code = (
        "import sys; import app.cli, app.runtime, bot.insight.feature, bot.insight.report; "
        "sys.exit(1 if 'matplotlib' in sys.modules else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_a_member_message_still_gets_answered_with_the_feature_on(w: World) -> None:
    replies = w.handle(msg("telegram", "555", "Hoe werkt kunst op recept?"))
    assert replies and not replies[0].files
