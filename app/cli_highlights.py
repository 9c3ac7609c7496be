"""`verbinder highlights preview`: the weekly highlights of an ISO week, as text or JSON (read-only)."""

from __future__ import annotations

import json

import typer
from rich.text import Text

from adapters.terminal import error, terminal
from app.runtime import open_settings_database
from app.setup_errors import configuration_errors, settings_or_exit
from bot.highlights.compose import TZ_NAME, Highlights, compose, parse_week, week_of, zone
from bot.highlights.render import plain, slack, telegram
from storage.db import utcnow

highlights_app = typer.Typer(help="The weekly highlights of the community.", no_args_is_help=True)
console = terminal()
err = terminal(stderr=True)
FORMATS = ("text", "slack", "telegram")


def _fail(message: str) -> typer.Exit:
    error(err, message)
    return typer.Exit(2)


def _print_as(h: Highlights, lang: str, form: str) -> None:
    """The highlights as members would see them on a platform (markup shown literally)."""
    if form == "slack":
        text, blocks, thread = slack(h, lang)
        print(json.dumps({"text": text, "blocks": blocks}, ensure_ascii=False, indent=2))
        for reply_text, reply_blocks in thread:
            print(json.dumps({"text": reply_text, "blocks": reply_blocks}, ensure_ascii=False, indent=2))
    elif form == "telegram":
        for i, part in enumerate(telegram(h, lang)):
            console.print(Text(f"--- part {i + 1} ---", style="dim"))
            console.print(Text(part), soft_wrap=True)
    else:
        console.print(Text(plain(h, lang)), soft_wrap=True)


def load(week: str, tz: str) -> Highlights:
    """The highlights of a week from the configured database (exits 2 with one line on bad input)."""
    settings = settings_or_exit()
    # VERBINDER_HIGHLIGHTS_TIMEZONE (the posting's setting) where it is defined, else Amsterdam.
    tz = tz or str(getattr(settings, "highlights_timezone", TZ_NAME))
    try:
        zone(tz)
        week = week.strip() or week_of(utcnow(), tz)
        parse_week(week)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    with configuration_errors(settings):
        sessions = open_settings_database(settings)
        return compose(sessions, week, tz, utcnow)


@highlights_app.command("preview")
def preview(
    week: str = typer.Option("", "--week", help="ISO week like 2026-W49 (default: the current week)."),
    as_json: bool = typer.Option(False, "--json", help="The composed data as JSON."),
    lang: str = typer.Option("nl", "--lang", help="Language of the text: nl or en."),
    form: str = typer.Option("text", "--as", help="text, slack (Block Kit JSON) or telegram (HTML parts)."),
    tz: str = typer.Option(
        "", "--tz", help="Time zone of the week (default: VERBINDER_HIGHLIGHTS_TIMEZONE)."
    ),
) -> None:
    """Print the highlights of a week as they would be posted; nothing is posted or recorded."""
    if lang not in ("nl", "en"):
        raise _fail(f"unknown language {lang!r} (nl or en)")
    if form not in FORMATS:
        raise _fail(f"unknown format {form!r} ({', '.join(FORMATS)})")
    h = load(week, tz)
    if as_json:
        print(json.dumps(h.to_dict(), ensure_ascii=False, indent=2))
        return
    _print_as(h, lang, form)


@highlights_app.command("post")
def post(
    week: str = typer.Option("", "--week", help="ISO week, e.g. 2026-W49; default: the last full week."),
) -> None:
    """Post a week's highlights to the highlights channels now (recorded: the schedule skips it)."""
    from app.boot import runtime_or_exit

    core = runtime_or_exit().bot()
    poster = core.highlights.poster
    try:
        week = week.strip() or poster.covered_week(utcnow())
        parse_week(week)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    if not poster.policy.channels:
        raise _fail("No highlights channels: set VERBINDER_HIGHLIGHTS_CHANNELS_SLACK and/or _TELEGRAM.")
    report = poster.post(week, "cli")
    if report.skipped:
        console.print(Text(f"{week}: not posted ({report.skipped})."))
        return
    for platform, chat in report.queued:
        console.print(Text(f"{week}: queued for {platform}:{chat}"))
    for platform, chat in report.already:
        console.print(Text(f"{week}: {platform}:{chat} has it already"))
    console.print(Text("The bot sends what is queued when it runs (verbinder run)."))
