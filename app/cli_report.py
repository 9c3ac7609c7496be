"""`verbinder report`: the moderators' report in the terminal; `--out DIR` writes its charts and CSV."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.text import Text

from adapters.terminal import error, terminal
from app.runtime import open_settings_database
from app.setup_errors import configuration_errors, settings_or_exit
from bot.insight.figures import DEFAULT_WEEKS, MAX_WEEKS, WeeksError, check_weeks
from bot.insight.render import period_label
from bot.insight.report import Reports
from bot.privacy.pseudonyms import Pseudonyms
from bot.texts import t
from storage.db import utcnow

console = terminal()
err = terminal(stderr=True)


def _fail(message: str) -> typer.Exit:
    error(err, message)
    return typer.Exit(2)


def report(
    weeks: int = typer.Option(
        DEFAULT_WEEKS, "--weeks", help=f"Full weeks before this one (1 to {MAX_WEEKS})."
    ),
    out: Path | None = typer.Option(None, "--out", help="Write the PNG charts and the questions CSV here."),
    lang: str = typer.Option("nl", "--lang", help="Language of the text: nl or en."),
    as_json: bool = typer.Option(False, "--json", help="The figures and gaps as JSON."),
) -> None:
    """The moderators' report: questions per week, who answered, 👍/👎, expert times, topics, gaps."""
    if lang not in ("nl", "en"):
        raise _fail(f"unknown language {lang!r} (nl or en)")
    try:
        check_weeks(weeks)
    except WeeksError as exc:
        raise _fail(f"--weeks: {exc}") from None
    settings = settings_or_exit()
    with configuration_errors(settings):
        sessions = open_settings_database(settings)
        key = settings.pseudonym_key.get_secret_value()
        reports = Reports(sessions, settings.highlights_timezone, None, Pseudonyms(sessions, key), utcnow)
        built = reports.build(weeks)
    if as_json:
        print(json.dumps(built.to_dict(), ensure_ascii=False, indent=2))
    else:
        console.print(Text(built.text(lang, how=True)), soft_wrap=True)
    if out is None:
        return
    if built.empty:
        why = t("in_empty", "en", period=period_label(built.figures, "en"))
        console.print(Text(f"Nothing written to {out}: {why}"), soft_wrap=True)
        return
    with configuration_errors(settings):
        files = [*built.charts(lang), reports.csv(built.figures)[0]]
    try:
        out.mkdir(parents=True, exist_ok=True)
        for f in files:
            (out / f.name).write_bytes(f.data)
    except OSError as exc:
        raise _fail(f"cannot write to {out}: {exc.strerror or exc}") from None
    for f in files:
        console.print(Text(f"written: {out / f.name}"), soft_wrap=True)
