"""The `verbinder` command: ingest, kb, ask, eval and chat."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from adapters.terminal import error, styled, terminal, tolerant_streams
from app.boot import runtime_or_exit as _runtime
from app.cli_announcements import announce_app, announcements_app
from app.cli_community import audit_app, events_app, members_app, moderators_app, submissions_app
from app.cli_experts import experts_app
from app.cli_highlights import highlights_app
from app.cli_outbox import outbox_app
from app.cli_privacy import privacy_app
from app.cli_questions import questions_app
from app.cli_report import report
from app.runtime import ALL_COMMANDS
from app.setup_errors import configuration_errors, settings_or_exit
from ingest.pipeline import IngestReport
from knowledge_base.retrieval import MODES

app = typer.Typer(help="Verbinder: the community's connector bot.", no_args_is_help=True)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            print(f"verbinder {version('verbinder')}")
        except PackageNotFoundError:
            print("verbinder (not installed as a package)")
        raise typer.Exit()


@app.callback()
def _main(
    show_version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Verbinder: the community's connector bot."""
    tolerant_streams()


kb_app = typer.Typer(help="Inspect and maintain the knowledge base.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")
slack_app = typer.Typer(help="Slack helpers.", no_args_is_help=True)
app.add_typer(slack_app, name="slack")
console = terminal()
err = terminal(stderr=True)  # one error = one line, whatever the terminal width


def _print_report(report: IngestReport) -> None:
    console.print(
        f"added {len(report.added)}, updated {len(report.updated)}, unchanged "
        f"{len(report.unchanged)}, removed {len(report.removed)}, failed {len(report.failed)}; "
        f"{report.chunks} new chunks"
    )
    if report.warnings:
        table = Table("file", "note", title="Ingested, with a note", title_style="yellow")
        for path, note in report.warnings:
            table.add_row(path, note)
        console.print(table)
    if report.failed:
        table = Table("file", "reason", title="Not ingested", title_style="red")
        for path, reason in report.failed:
            table.add_row(path, reason)
        console.print(table)


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Files and folders to ingest."),
    prune: bool = typer.Option(False, help="Remove documents whose files are gone."),
) -> None:
    """Ingest files and folders (Markdown, text, HTML, PDF, DOCX) incrementally."""
    rt = _runtime()
    with Progress(
        TextColumn("[bold]ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None)

        def progress(i: int, total: int, name: str) -> None:
            bar.update(task, completed=i, total=total, description=name[-50:])

        report = rt.ingest(paths, prune=prune, progress=progress)
    _print_report(report)
    if report.failed:
        raise typer.Exit(1)


@kb_app.command("list")
def kb_list() -> None:
    """List the documents in the knowledge base."""
    rt = _runtime()
    table = Table("path", "kind", "lang", "chunks", "title")
    for d in rt.kb.documents():
        table.add_row(d.path, d.kind, d.language, str(d.n_chunks), d.title[:60])
    console.print(table)


@kb_app.command("stats")
def kb_stats(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Documents and chunks by kind and language."""
    stats = _runtime().kb.stats()
    if as_json:
        print(json.dumps(stats, ensure_ascii=False))
        return
    console.print(
        f"documents: {stats['documents']}   chunks: {stats['chunks']}   "
        f"embedding model: {stats['embedding_model']}"
    )
    for label in ("kind", "language"):
        table = Table(label, "documents", "chunks")
        docs, chunks = stats[f"documents_by_{label}"], stats[f"chunks_by_{label}"]
        for key in sorted(docs):  # type: ignore[call-overload]
            table.add_row(key, str(docs[key]), str(chunks[key]))  # type: ignore[index]
        console.print(table)


@kb_app.command("remove")
def kb_remove(paths: list[str] = typer.Argument(..., help="Document paths as in `kb list`.")) -> None:
    """Remove documents from the knowledge base."""
    rt = _runtime()
    known = {d.path for d in rt.kb.documents()}
    present = [p for p in dict.fromkeys(paths) if p in known]
    n = rt.kb.remove(present) if present else 0
    console.print(f"removed {n} document(s)")
    absent = [p for p in paths if p not in known]
    for p in absent:
        err.print(styled((f"not in the knowledge base: {p}", "yellow"), _identity_hint(p, known)))
    if absent:
        raise typer.Exit(1)


def _identity_hint(path: str, known: set[str]) -> str:
    """Which identity the user probably meant: a document's path is relative to its ingest folder."""
    given = Path(path).as_posix()
    likely = sorted(k for k in known if given.endswith("/" + k) or k.endswith("/" + given))
    if not likely:
        likely = sorted(k for k in known if Path(k).name == Path(given).name)
    if likely:
        return f" (did you mean {', '.join(likely[:3])}? use the path shown by `verbinder kb list`)"
    return " (use the path shown by `verbinder kb list`)"


@kb_app.command("rebuild")
def kb_rebuild() -> None:
    """Re-embed all chunks with the configured model and rebuild the lexical index."""
    rt = _runtime(check_model=False)
    n = rt.kb.rebuild_dense()
    rt.kb.refresh_lexical()
    console.print(f"rebuilt the index: {n} chunks embedded with {rt.settings.embedding_model}")


@app.command()
def ask(
    question: str = typer.Argument(..., help="The question."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    retriever: str = typer.Option("hybrid", help="hybrid | lexical | dense"),
) -> None:
    """Ask one question."""
    if retriever not in MODES:
        error(err, f"--retriever must be one of {', '.join(MODES)}")
        raise typer.Exit(2)
    rt = _runtime(sample=True)
    a = rt.assistant.ask(question, mode=retriever)
    if as_json:
        print(json.dumps(a.to_json(), ensure_ascii=False))
        return
    from adapters.console import render_answer

    render_answer(console, a)


@app.command("eval")
def evaluate(
    questions: Path = typer.Argument(..., exists=True, dir_okay=False, help="JSONL questions."),
    out: Path | None = typer.Option(None, "--out", help="Write one result line per question."),
    retriever: str = typer.Option("hybrid", help="hybrid | lexical | dense"),
    debug: bool = typer.Option(False, help="Include answerability features in --out."),
) -> None:
    """Run a question set through the chat pipeline and print recall, MRR and routing accuracy."""
    from bot.answering.evaluation import EvalFormatError, read_questions, run_eval

    if retriever not in MODES:
        error(err, f"--retriever must be one of {', '.join(MODES)}")
        raise typer.Exit(2)
    try:
        items = read_questions(questions)
    except EvalFormatError as exc:
        error(err, f"{questions}: {exc}")
        raise typer.Exit(2) from None
    rt = _runtime()
    res, rows = run_eval(rt.assistant, items, mode=retriever)
    if out:
        with out.open("w", encoding="utf-8") as fh:
            for row in rows:
                if not debug:
                    row.pop("features", None)
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    console.print(
        f"retriever={retriever} questions={res.n} (answerable {res.answerable}, "
        f"unanswerable {res.unanswerable})\n"
        f"recall@1 {res.recall_at_1:.3f}  recall@5 {res.recall_at_5:.3f}  "
        f"MRR@10 {res.mrr_at_10:.3f}\n"
        f"route balanced accuracy {res.route_balanced_accuracy:.3f} "
        f"(unanswerable routed {res.routed_unanswerable:.3f}, "
        f"answerable answered {res.answered_answerable:.3f})\n"
        f"evidence carried {_share(res.evidence_carried)} "
        f"(of {res.evidence_n} answered with an evidence quote)  "
        f"unanswerable answered with a quote {res.unanswerable_quoted:.3f}",
        highlight=False,
    )
    if any(k not in ("answerable", "unanswerable") for k in res.by_kind):
        table = Table("kind", "answer", "not sure", "route", title="Outcomes by question kind")
        for kind, c in sorted(res.by_kind.items()):
            table.add_row(kind, str(c["answer"]), str(c["not_sure"]), str(c["route"]))
        console.print(table)


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


@app.command()
def chat() -> None:
    """Chat with Verbinder in the terminal."""
    from adapters.console import run_console

    rt = _runtime(sample=True)
    core = rt.bot()
    files = rt.settings.data_dir / "files"  # where the files of replies are saved
    run_console(core.service, console, sys.stdin, user_name=_user_name(), outbox=core.outbox, files_dir=files)


def _user_name() -> str:
    """The name of the person at the terminal, as the operating system knows it ("" if unknown)."""
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user database or environment: the chat works without a name
        return ""


@app.command()
def run() -> None:
    """Start the bot on every platform configured in .env (Slack and/or Telegram) in one process."""
    import asyncio
    import threading

    from adapters.base import CredentialError
    from adapters.runner import check_settings, serve

    settings = settings_or_exit()
    problems = check_settings(settings)  # before loading any model: fail in a second
    if problems:
        for problem in problems:
            error(err, problem)
        raise typer.Exit(2)
    rt = _runtime(sample=True)
    core = rt.bot()
    core.service.store.prune_events()
    if core.privacy is not None and core.privacy.retention.overdue():
        error(
            err,
            "the daily retention job has not run for 2 days (see `verbinder privacy retention`)",
            "Warning:",
        )
    # Embed the expert profiles in the background (about 60 ms each): the bot answers meanwhile.
    threading.Thread(target=core.warm, name="warm-expert-profiles", daemon=True).start()
    try:
        with configuration_errors(rt.settings):  # e.g. the HTTP port is taken
            asyncio.run(serve(rt.settings, core))
    except CredentialError as exc:
        error(err, str(exc))
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        pass


@slack_app.command("manifest")
def slack_manifest(
    request_url: str = typer.Option(
        "", "--request-url", help="Public HTTPS base URL for the Events API (omit for Socket Mode)."
    ),
) -> None:
    """Print a Slack app manifest (JSON) that installs the app in one step."""
    from urllib.parse import urlparse

    from adapters.slack.manifest import manifest

    if request_url:
        parts = urlparse(request_url)
        if parts.scheme != "https" or not parts.netloc or " " in request_url:
            error(
                err,
                f"--request-url {request_url!r}: give the public HTTPS base URL, e.g. https://bot.example.org",
            )
            raise typer.Exit(2)
    settings = settings_or_exit()
    print(json.dumps(manifest(ALL_COMMANDS, settings, request_url or None), indent=2, ensure_ascii=False))


app.add_typer(questions_app, name="questions")
app.add_typer(experts_app, name="experts")
app.add_typer(moderators_app, name="moderators")
app.add_typer(members_app, name="members")
app.add_typer(audit_app, name="audit")
app.add_typer(submissions_app, name="submissions")
app.add_typer(events_app, name="events")
app.add_typer(highlights_app, name="highlights")
app.add_typer(outbox_app, name="outbox")
app.add_typer(announce_app, name="announce")
app.add_typer(announcements_app, name="announcements")
app.add_typer(privacy_app, name="privacy")
app.command("report")(report)

if __name__ == "__main__":
    app()
