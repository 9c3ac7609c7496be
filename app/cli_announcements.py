"""`verbinder announce` and `verbinder announcements list|edit|withdraw`: announcements from the shell.

These write to the database only (no knowledge base is loaded): the running bot's outbox and
scheduler send what is queued or due. Bad input is one line on stderr and exit code 2.
"""

from __future__ import annotations

import typer
from rich.table import Table
from rich.text import Text

from adapters.terminal import error, terminal
from app.runtime import announcements_policy, open_settings_database
from app.setup_errors import configuration_errors, settings_or_exit
from bot.announcements.feature import AnnouncementsFeature
from bot.announcements.model import Invalid, labels, local_label
from bot.announcements.store import Announcement, Announcements
from bot.delivery.outbox import Outbox
from bot.delivery.scheduler import Scheduler
from bot.people.store import CLI, People
from bot.texts import t

announce_app = typer.Typer(
    help="Send an announcement to the announcement channels, now or later.",
    invoke_without_command=True,
    context_settings={"allow_interspersed_args": True},
)
announcements_app = typer.Typer(help="Moderators' announcements.", no_args_is_help=True)
console = terminal()
err = terminal(stderr=True)


def _fail(message: str) -> typer.Exit:
    error(err, message)
    return typer.Exit(2)


def _invalid(exc: Invalid) -> typer.Exit:
    return _fail(exc.say("en"))


def _store() -> Announcements:
    """The announcements of the configured database, with the scheduler's send job registered."""
    settings = settings_or_exit()
    with configuration_errors(settings):
        sessions = open_settings_database(settings)
    people = People(sessions, settings.admin_ids, settings.moderator_ids)
    scheduler = Scheduler(sessions)
    feature = AnnouncementsFeature(
        sessions, people, Outbox(sessions), scheduler, announcements_policy(settings)
    )
    for job in feature.contribution().jobs:
        scheduler.add(job)
    return feature.store


def _line(a: Announcement, tz: str) -> str:
    targets = tuple(d.target for d in a.deliveries)
    return f"#{a.id} {a.state} {local_label(a.at, tz)}: {len(targets)} channel(s) ({labels(targets)})"


@announce_app.callback()
def announce(
    text: str = typer.Argument(..., help="The announcement's text."),
    at: str = typer.Option("", "--at", help='Local time, e.g. "2026-12-07 10:00" (default: now).'),
    to: str = typer.Option("", "--to", help="Targets, e.g. slack:C1,telegram:-100 (default: all)."),
) -> None:
    """Send an announcement now, or schedule it (`--at`), to every or some announcement channels."""
    store = _store()
    try:
        a = store.create(CLI, text, to, at, "en")
    except Invalid as exc:
        raise _invalid(exc) from None
    console.print(Text(_line(a, store.policy.tz)))
    console.print(Text("The running bot sends it (verbinder run); `verbinder announcements list` shows it."))


@announcements_app.command("list")
def announcements_list(limit: int = typer.Option(20, "--limit", min=1, max=1000)) -> None:
    """Scheduled and posted announcements, newest first, with each channel's state."""
    store = _store()
    found = store.listing(limit)
    if not found:
        console.print("No announcements yet.", markup=False)
        return
    table = Table("id", "state", "at (local)", "reached", "channel states", "text")
    for a in found:
        states = ", ".join(
            f"{d.target.label} {d.state}" + (f" ({d.error[:60]})" if d.error else "") for d in a.deliveries
        )
        first = " ".join(a.text.split())
        cells = (
            str(a.id),
            a.state,
            local_label(a.at, store.policy.tz),
            f"{a.delivered}/{len(a.deliveries)}",
            states,
            first[:60],
        )
        table.add_row(*(Text(c) for c in cells))
    console.print(table)


@announcements_app.command("edit")
def announcements_edit(
    announcement: int = typer.Argument(..., help="The announcement's id."),
    text: str = typer.Argument(..., help="The new text."),
) -> None:
    """Change an announcement's text; every posted message is updated."""
    store = _store()
    try:
        change = store.edit(announcement, text, CLI)
    except Invalid as exc:
        raise _invalid(exc) from None
    console.print(Text(t("an_edited", "en", id=announcement, n=change.updated)))


@announcements_app.command("withdraw")
def announcements_withdraw(announcement: int = typer.Argument(..., help="The announcement's id.")) -> None:
    """Withdraw an announcement everywhere (Telegram after 48 hours: replaced by a notice)."""
    store = _store()
    try:
        change = store.withdraw(announcement, CLI)
    except Invalid as exc:
        raise _invalid(exc) from None
    said = t("an_withdrawn", "en", id=announcement, deleted=change.deleted, noticed=change.noticed)
    console.print(Text(said))
