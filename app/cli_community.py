"""`verbinder moderators|members|audit|submissions|events`: roles, the queue and the agenda from a shell."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from adapters.terminal import error, terminal
from app.boot import runtime_or_exit
from app.runtime import open_settings_database
from app.setup_errors import configuration_errors, settings_or_exit
from bot.community.drafts import summary
from bot.community.events import EventBook
from bot.community.model import Refused
from bot.community.queue import Queue
from bot.community.records import STATES
from bot.delivery.outbox import Outbox
from bot.people.store import CLI, MODERATOR, People, PeopleError, Person
from storage.db import utcnow

moderators_app = typer.Typer(
    help="Moderators (named by admins; admins come from VERBINDER_ADMINS).", no_args_is_help=True
)
members_app = typer.Typer(help="Remove members from the community, or let them back.", no_args_is_help=True)
audit_app = typer.Typer(help="What moderators and admins did.", no_args_is_help=True)
submissions_app = typer.Typer(help="The moderation queue of tips, projects and events.", no_args_is_help=True)
events_app = typer.Typer(help="Approved events.", no_args_is_help=True)
console = terminal()
err = terminal(stderr=True)
WHO = "Who: slack:U123, telegram:123, #<person id> or a name."


def _row(table: Table, *cells: str) -> None:
    """A table row of literal text (names and titles come from members: no markup)."""
    table.add_row(*(Text(c) for c in cells))


def _people() -> People:
    settings = settings_or_exit()
    with configuration_errors(settings):
        sessions = open_settings_database(settings)
    return People(sessions, settings.admin_ids, settings.moderator_ids)


def _fail(message: str) -> typer.Exit:
    error(err, message)
    return typer.Exit(2)


def _person(people: People, who: str) -> Person:
    p = people.resolve(who)
    if p is None:
        raise _fail(f"I don't know {who!r}. {WHO}")
    return p


@moderators_app.command("add")
def moderators_add(
    who: str = typer.Argument(..., help=WHO),
    admin: bool = typer.Option(False, "--admin", help="Make them admin."),
) -> None:
    """Make someone a moderator (or admin)."""
    people = _people()
    p = people.grant(CLI, _person(people, who), "admin" if admin else MODERATOR)
    console.print(f"{p.label} is now {'an admin' if admin else 'a moderator'}.", markup=False)


@moderators_app.command("remove")
def moderators_remove(
    who: str = typer.Argument(..., help=WHO),
    admin: bool = typer.Option(False, "--admin", help="Only the admin role."),
) -> None:
    """Take the moderator (or only the admin) role away; the last admin stays."""
    people = _people()
    try:
        p = people.revoke(CLI, _person(people, who), "admin" if admin else MODERATOR)
    except PeopleError as exc:
        raise _fail(exc.say("en")) from None
    console.print(f"{p.label} is no longer {'an admin' if admin else 'a moderator'}.", markup=False)


@moderators_app.command("list")
def moderators_list() -> None:
    """Every moderator and admin, with their accounts."""
    table = Table("person", "name", "roles", "accounts")
    for p in _people().with_role(MODERATOR):
        accounts = ", ".join(f"{pl}:{uid}" for pl, uid in p.accounts)
        _row(table, f"#{p.id}" if p.id else "-", p.name or "-", ", ".join(sorted(p.roles)), accounts)
    console.print(table)


@members_app.command("block")
def members_block(who: str = typer.Argument(..., help=WHO)) -> None:
    """Remove a member: they can no longer submit, and their waiting submissions cannot be approved."""
    people = _people()
    try:
        p = people.set_blocked(CLI, _person(people, who), True)
    except PeopleError as exc:
        raise _fail(exc.say("en")) from None
    console.print(f"{p.label} is blocked.", markup=False)


@members_app.command("unblock")
def members_unblock(who: str = typer.Argument(..., help=WHO)) -> None:
    """Let a blocked member back in."""
    people = _people()
    p = people.set_blocked(CLI, _person(people, who), False)
    console.print(f"{p.label} is no longer blocked.", markup=False)


@audit_app.command("list")
def audit_list(
    limit: int = typer.Option(50, "--limit", min=1, max=10_000), action: str = typer.Option("", "--action")
) -> None:
    """The latest moderator and admin actions, newest first."""
    table = Table("when (UTC)", "actor", "action", "target", "detail")
    for a in _people().audit_log(limit, action):
        _row(table, a.at.strftime("%Y-%m-%d %H:%M"), a.actor, a.action, a.target, a.detail[:80])
    console.print(table)


def _queue() -> Queue:
    people = _people()
    return Queue(people.sessions, people, Outbox(people.sessions), utcnow)


@submissions_app.command("list")
def submissions_list(
    state: str = typer.Option("pending", "--state", help=f"One of {', '.join(STATES)}, or 'all'."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
) -> None:
    """Submissions, newest first."""
    if state not in (*STATES, "all"):
        raise _fail(f"Unknown state {state!r}: use one of {', '.join(STATES)} or all.")
    table = Table("id", "kind", "state", "author", "title", "submitted (UTC)", "taken by")
    for s in _queue().list("" if state == "all" else state, limit=limit):
        _row(
            table,
            str(s.id),
            s.kind,
            s.state,
            s.author_name,
            s.title,
            s.created_at.strftime("%Y-%m-%d %H:%M"),
            s.claimed_name or "-",
        )
    console.print(table)


@submissions_app.command("show")
def submissions_show(sub_id: int = typer.Argument(..., min=1, max=2**31 - 1)) -> None:
    """One submission with all its fields."""
    s = _queue().get(sub_id)
    if s is None:
        raise _fail(f"There is no submission #{sub_id}.")
    console.print(f"#{s.id} {s.kind}, {s.state}, by {s.author_name} via {s.platform}", markup=False)
    console.print(summary(s.kind, s.fields, "en"), markup=False)
    for label, value in (("near-duplicate", s.duplicate), ("reason", s.reason), ("published", s.kb_path)):
        if value:
            console.print(f"{label}: {value}", markup=False)


def _decide(sub_id: int, reason: str | None) -> None:
    core = runtime_or_exit().bot()
    try:
        if reason is None:
            s = core.community.queue.approve(sub_id, CLI, "operator")
        else:
            s = core.community.queue.reject(sub_id, CLI, "operator", reason)
    except Refused as exc:
        raise _fail(exc.say("en")) from None
    console.print(f"#{s.id} {s.state}: {s.title} {s.kb_path}".rstrip(), markup=False)
    console.print("The author and the moderators are told when the bot runs (outbox).", markup=False)


@submissions_app.command("approve")
def submissions_approve(sub_id: int = typer.Argument(..., min=1, max=2**31 - 1)) -> None:
    """Approve a waiting submission: published at once."""
    _decide(sub_id, None)


@submissions_app.command("reject")
def submissions_reject(
    sub_id: int = typer.Argument(..., min=1, max=2**31 - 1),
    reason: str = typer.Option(..., "--reason", help="Sent to the author with their text."),
) -> None:
    """Reject a waiting submission with a reason."""
    if not reason.strip():
        raise _fail("A rejection needs a reason (--reason); the author reads it.")
    _decide(sub_id, reason.strip())


@events_app.command("export")
def events_export(
    ics: bool = typer.Option(True, "--ics/--list", help="An iCalendar feed (default) or a list."),
    out: Path | None = typer.Option(None, "--out", help="Write to this file instead of standard output."),
) -> None:
    """The upcoming events as an iCalendar feed (what /events.ics serves)."""
    book = EventBook(_people().sessions, utcnow)
    if not ics:
        for e in book.upcoming(limit=10_000):
            console.print(f"{e.day} {e.start or '--:--'} {e.title} ({e.where()})", markup=False)
        return
    data = book.ics()
    if out is None:
        sys.stdout.buffer.write(data)
        return
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise _fail(f"Cannot write {out}: {exc.strerror}") from None
    console.print(f"Wrote {out}.", markup=False)
