"""The terminal adapter: each line through the core, its replies, buttons as `!<n>` and the outbox."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import support.docs as D
from rich.console import Console
from sqlalchemy import func, select
from support.chat import reset_conversations
from support.docs import make_settings

from adapters.console import ConsoleChat, render_answer, render_reply, run_console
from app.runtime import BotCore, Runtime, build_runtime
from bot.answering.assistant import Answer
from bot.community.model import SUB_APPROVE
from bot.community.records import SubmissionRecord
from bot.conversations.records import FeedbackRecord
from bot.experts.records import RoutingRecord
from bot.messages import Action, ChatRef, Reply, Source
from bot.texts import TEXTS

QUESTION = "Waar repeteert het seniorenkoor voor eenzame ouderen?"
MODERATOR = ("slack", "UMOD")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Runtime:
    rt = build_runtime(make_settings(tmp_path_factory.mktemp("console") / "data", moderators="slack:UMOD"))
    assert rt.ingest([corpus_dir]).ok
    return rt


@pytest.fixture
def core(base: Runtime) -> BotCore:
    reset_conversations(base)
    return base.bot()


def _console() -> tuple[Console, io.StringIO]:
    buf = io.StringIO()  # markup left on: the adapter must print text literally even so
    return Console(file=buf, width=400, color_system=None, force_terminal=False), buf


def _flat(s: str) -> str:
    return " ".join(s.split())


def chat(core: BotCore, *lines: str) -> str:
    """A console session over the core with these lines typed; what it printed, flattened."""
    console, buf = _console()
    run_console(core.service, console, io.StringIO("".join(f"{x}\n" for x in lines)), outbox=core.outbox)
    return _flat(buf.getvalue())


def test_a_session_reads_lines_until_quit(core):
    stdin = io.StringIO(f"/help\n{QUESTION}\n/onbekend iets\n/quit\nDeze vraag komt nooit aan\n")
    seen: list[str] = []
    real = core.service.handle

    def spy(m):  # type: ignore[no-untyped-def]
        seen.append(f"/{m.command} {m.text}" if m.command else m.text)
        assert (m.chat, m.user_id, m.direct, m.addressed) == (
            ChatRef("console", "terminal"),
            "console",
            True,
            True,
        )
        return real(m)

    core.service.handle = spy  # type: ignore[method-assign]
    console, buf = _console()
    run_console(core.service, console, stdin, outbox=core.outbox)
    out = _flat(buf.getvalue())
    assert seen == ["/help ", QUESTION, "/onbekend iets"]  # nothing after /quit is read
    assert out.count(_flat(TEXTS["help"]["nl"])) == 2  # banner + /help
    assert out.count(_flat(TEXTS["console_commands"]["nl"])) == 2
    assert "Dat commando ken ik niet: /onbekend." in out
    assert "Deze vraag komt nooit aan" not in out
    assert stdin.readline() == "Deze vraag komt nooit aan\n"


def test_a_question_is_answered_with_sources_and_buttons(core):
    out = chat(core, QUESTION)
    assert "Dit staat er in de kennisbank" in out
    assert f"“{D.KOOR_SENTENCE}” [1]" in out
    assert "Bronnen" in out and "[1] Seniorenkoor De Zilveren Stemmen in Amersfoort" in out
    assert "Knoppen: [1] 👍 Nuttig [2] 👎 Niet nuttig [3] 🙋 Vraag een expert — typ !1 om te kiezen" in out
    assert "Doorgezet naar een expert" not in out


def test_pressing_helpful_thanks_and_records_the_feedback(core):
    out = chat(core, QUESTION, "!1")
    assert TEXTS["thanks_feedback"]["nl"] in out
    with core.service.store.sessions() as s:
        [fb] = s.scalars(select(FeedbackRecord))
    assert (fb.user_id, fb.value) == ("console", "helpful")


def test_pressing_ask_expert_routes_the_question(core):
    out = chat(core, QUESTION, "! 3")
    assert "Er is nu geen expert beschikbaar" in out  # nobody to offer it to: the moderators keep it
    with core.service.store.sessions() as s:
        assert s.scalar(select(func.count()).select_from(RoutingRecord)) == 1


def test_an_unknown_button_or_none_at_all_gets_a_clear_line(core):
    out = chat(core, "!1", QUESTION, "!7", "!0")
    assert TEXTS["console_no_buttons"]["nl"] in out
    assert "Er is geen knop 7: kies !1 tot en met !3." in out and "Er is geen knop 0" in out


def test_a_tip_step_by_step_then_the_moderators_decision_reaches_the_console(core):
    out = chat(core, "/tip", "Zing [/i] mee", "Elke week zingen we [bold]samen[/bold] met buren.", "-", "-")
    assert "(1/4) Titel" in out and "(2/4) Beschrijving" in out and "(4/4) Regio" in out
    assert "Dank je! Je tip ‘Zing [/i] mee’ wacht nu op een moderator." in out
    with core.service.store.sessions() as s:
        sid = int(s.scalar(select(func.max(SubmissionRecord.id))) or 0)
    # The moderator on Slack approves; the console was closed meanwhile.
    [r] = core.service.handle_action(Action(ChatRef(*MODERATOR), MODERATOR[1], SUB_APPROVE, sid))
    assert "staat nu in de kennisbank" in r.text
    later = chat(core, "/mijn_bijdragen")
    assert "goedgekeurd" in later and later.index("goedgekeurd") < later.index("Jouw bijdragen")
    assert chat(core, "/quit").count("goedgekeurd") == 0  # shown once
    # Slack's rows (the offer to the moderator) wait for `verbinder run`.
    assert {r.platform for r in core.outbox.unsent()} == {"slack"}


def test_cancel_stops_the_tip(core):
    out = chat(core, "/tip", "Samen zingen", "/annuleren", "/annuleren")
    assert "Gestopt: je tip is niet ingestuurd." in out and "Er was niets om te stoppen." in out


def test_every_session_is_answered_even_on_the_same_database(core):
    assert "Dit staat er in de kennisbank" in chat(core, QUESTION)
    assert "Dit staat er in de kennisbank" in chat(core, QUESTION)  # message ids are new each session


def test_end_of_input_ends_the_session_after_a_routed_answer(core):
    console, buf = _console()
    run_console(core.service, console, io.StringIO("Wat is het telefoonnummer van het seniorenkoor?\n"))
    out = _flat(buf.getvalue())
    assert "geen antwoord" in out or "geen direct antwoord" in out  # route, or not sure with tips
    assert "Doorgezet naar een expert" in out
    assert buf.getvalue().endswith("jij> \n")


def test_an_empty_line_gets_help(core):
    assert chat(core, "", "/q").count(_flat(TEXTS["help"]["nl"])) == 2


def test_a_failure_in_the_core_is_told_and_the_session_goes_on(core):
    def broken(m):  # type: ignore[no-untyped-def]
        raise RuntimeError("database gone")

    console, buf = _console()
    session = ConsoleChat(core.service, console)
    real = core.service.handle
    core.service.handle = broken  # type: ignore[method-assign]
    session.line("Hallo?")
    core.service.handle = real  # type: ignore[method-assign]
    session.line(QUESTION)
    out = _flat(buf.getvalue())
    assert TEXTS["send_failed"]["nl"] in out and "Dit staat er in de kennisbank" in out


def test_markup_in_answers_sources_and_notices_is_printed_literally():
    console, buf = _console()
    source = Source("a.md", "Koor [bold]stemmig[/i] :x:", None, "project", 1.0)
    render_answer(console, Answer("q", "Het koor [/i] repeteert [bold]:x:", False, "nl", (source,)))
    render_reply(console, Reply(ChatRef("console", "terminal"), "Je tip ‘Zing [/i] mee’", kind="notice"))
    out = buf.getvalue()
    assert "Het koor [/i] repeteert [bold]:x:" in out and "[1] Koor [bold]stemmig[/i] :x:" in out
    assert "Je tip ‘Zing [/i] mee’" in out


def test_render_answer_english_with_and_without_url():
    console, buf = _console()
    a = Answer(
        "q",
        "Here is what the knowledge base says:\n“x” [1]",
        False,
        "en",
        (
            Source("a.md", "Titel A", "https://example.org/a", "tip", 1.0),
            Source("b.md", "Titel B", None, "project", 0.5),
        ),
    )
    render_answer(console, a)
    out = buf.getvalue()
    assert "Sources" in out and "Bronnen" not in out
    assert "[1] Titel A (a.md, tip) — https://example.org/a" in out
    assert "[2] Titel B (b.md, project)" in out
    assert "Routed to an expert" not in out
