"""`verbinder questions`: the questions members asked and where each one stands."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from adapters.terminal import error, styled, terminal
from app.runtime import open_settings_database
from app.setup_errors import configuration_errors, settings_or_exit
from bot.conversations.records import STATUSES
from bot.conversations.store import QuestionStore

questions_app = typer.Typer(help="Questions members asked and their lifecycle.", no_args_is_help=True)
console = terminal()


def _store() -> QuestionStore:
    settings = settings_or_exit()
    with configuration_errors(settings):
        return QuestionStore(open_settings_database(settings))


@questions_app.command("list")
def list_questions(
    status: str = typer.Option("", "--status", help="Only this status (answered, routed, claimed, …)."),
    limit: int = typer.Option(50, "--limit", min=1),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List questions, newest first."""
    if status and status not in STATUSES:
        error(terminal(stderr=True), f"--status {status!r}: use one of {', '.join(STATUSES)}")
        raise typer.Exit(2)
    rows = _store().all(status or None, limit)
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "id": q.id,
                        "status": q.status,
                        "platform": q.platform,
                        "user": q.user_name or q.user_id,
                        "question": q.text,
                        "asked_at": q.created_at.isoformat(timespec="seconds"),
                    }
                    for q in rows
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    table = Table("id", "status", "platform", "asked", "by", "question")
    for q in rows:
        table.add_row(
            str(q.id),
            q.status,
            q.platform,
            q.created_at.strftime("%Y-%m-%d %H:%M"),
            q.user_name or q.user_id,
            q.text[:80],
        )
    console.print(table if rows else "No questions.")


@questions_app.command("show")
def show_question(question_id: int = typer.Argument(..., help="The question id.")) -> None:
    """Show one question with its answer, sources, feedback and lifecycle."""
    store = _store()
    q = store.get(question_id)
    if q is None:
        console.print(styled((f"No question with id {question_id}.", "red")))
        raise typer.Exit(1)
    who = q.user_name or q.user_id
    console.print(styled((f"#{q.id}", "bold"), f" [{q.status}] {q.platform}:{q.chat_id} by {who}"))
    console.print(styled(("Question:", "bold"), f" {q.text}"))
    if q.context and q.context != q.text:
        console.print(styled((f"Searched as: {q.context}", "dim")))
    console.print(styled(("Answer:", "bold"), f" {q.answer}"))
    for i, src in enumerate(q.sources or [], 1):
        link = src.get("url") or ""
        console.print(f"  [{i}] {src.get('title')} ({src.get('path')}) {link}", highlight=False)
    votes = store.feedback_for(q.id)
    if votes:
        console.print(styled(("Feedback:", "bold"), " " + ", ".join(f"{u}: {v}" for u, v in votes.items())))
    for ev in store.events(q.id):
        extra = f" ({ev.detail})" if ev.detail else ""
        console.print(f"  {ev.at:%Y-%m-%d %H:%M:%S}  {ev.status:<18} {ev.actor}{extra}", highlight=False)
