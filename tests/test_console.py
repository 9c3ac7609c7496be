"""The terminal adapter: commands, questions and rendering over an in-memory console."""

from __future__ import annotations

import io

import support.docs as D
from rich.console import Console

from adapters.console import render_answer, run_console
from bot.answering.assistant import Answer
from bot.messages import Source
from bot.texts import TEXTS

QUESTION = "Waar repeteert het seniorenkoor voor eenzame ouderen?"


def _console() -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, width=400, color_system=None, force_terminal=False), buf


def _flat(s: str) -> str:
    return " ".join(s.split())


def test_run_console_session(kb):
    console, buf = _console()
    stdin = io.StringIO(f"/help\n{QUESTION}\n/onbekend iets\n/quit\nDeze vraag komt nooit aan\n")
    asked: list[str] = []
    assistant = kb.rt.assistant
    real_ask = assistant.ask

    class Spy:
        def ask(self, text, **kw):
            asked.append(text)
            return real_ask(text, **kw)

    run_console(Spy(), console, stdin)
    out = _flat(buf.getvalue())
    assert asked == [QUESTION]  # commands are not questions; nothing after /quit is read
    assert out.count(_flat(TEXTS["help"]["nl"])) == 2  # banner + /help
    assert _flat(TEXTS["console_commands"]["nl"]) in out
    assert "Dit staat er in de kennisbank" in out
    assert f"“{D.KOOR_SENTENCE}” [1]" in out
    assert "Bronnen" in out
    assert "[1] Seniorenkoor De Zilveren Stemmen in Amersfoort" in out
    assert "Onbekend commando '/onbekend'" in out
    assert "Deze vraag komt nooit aan" not in out
    assert stdin.readline() == "Deze vraag komt nooit aan\n"


def test_run_console_stops_at_end_of_input(kb):
    console, buf = _console()
    run_console(kb.rt.assistant, console, io.StringIO("Wat is het telefoonnummer van het seniorenkoor?\n"))
    out = _flat(buf.getvalue())
    assert "geen antwoord" in out or "geen direct antwoord" in out  # route, or not sure with tips
    assert "Doorgezet naar een expert" in out


def test_run_console_empty_line_gets_help(kb):
    console, buf = _console()
    run_console(kb.rt.assistant, console, io.StringIO("\n/q\n"))
    assert _flat(buf.getvalue()).count(_flat(TEXTS["help"]["nl"])) == 2


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
