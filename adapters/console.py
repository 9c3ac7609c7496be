"""Terminal chat over the same core as Slack and Telegram."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.panel import Panel

from adapters.terminal import styled
from bot.answering.assistant import Answer, Assistant
from bot.texts import t


def render_answer(console: Console, a: Answer) -> None:
    """Show an answer with its numbered sources and the route decision."""
    style = "yellow" if a.routed else "green"
    console.print(Panel(a.answer, border_style=style, title="Verbinder", title_align="left"))
    if a.sources:
        console.print(styled((t("sources", a.language), "bold")))
        for i, s in enumerate(a.sources, 1):
            link = f" — {s.url}" if s.url else ""
            console.print(styled(f"  [{i}] {s.title} ", (f"({s.path}, {s.kind}){link}", "dim")))
    if a.routed:
        console.print(styled((f"→ {t('routed', a.language)}", "yellow")))


def run_console(assistant: Assistant, console: Console, stdin: TextIO) -> None:
    """Read questions line by line until /quit or end of input."""
    console.print(Panel(t("help", "nl") + "\n\n" + t("console_commands", "nl"), title="Verbinder"))
    while True:
        console.print(styled((t("console_prompt", "nl"), "bold cyan"), " "), end="")
        line = stdin.readline()
        if not line:
            console.print()
            return
        text = line.strip()
        if text.lower() in ("/quit", "/exit", "/stop", "/q"):
            return
        if text.lower() in ("/help", "/hulp", "/start"):
            console.print(t("help", "nl") + "\n" + t("console_commands", "nl"))
            continue
        if text.startswith("/"):
            unknown = t("console_unknown_command", "nl", command=text.split()[0])
            console.print(unknown + t("console_commands", "nl"))
            continue
        render_answer(console, assistant.ask(text))
