"""`verbinder privacy [export|forget|retention]`: what is kept, a member's data, forget-me, retention."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from sqlalchemy import select

from adapters.terminal import error, terminal
from app.boot import runtime_or_exit
from app.runtime import open_settings_database, privacy_feature, retention_policy
from app.setup_errors import configuration_errors, settings_or_exit
from bot.announcements.model import local_label
from bot.delivery.outbox import Outbox
from bot.delivery.scheduler import Scheduler
from bot.people.records import AccountRecord, PersonRecord
from bot.people.store import People, Person
from bot.privacy.export import export, to_csv, to_json
from bot.privacy.retention import Retention
from bot.privacy.statement import statement
from storage.db import utcnow

privacy_app = typer.Typer(help="Privacy: what is kept, a member's data export, forget-me, retention.")
console = terminal()
err = terminal(stderr=True)
WHO = "Who: slack:U123, telegram:123, #<person id> or a name."


@privacy_app.callback(invoke_without_command=True)
def privacy(ctx: typer.Context) -> None:
    """What Verbinder stores, for how long, and which provider receives what (with these settings)."""
    if ctx.invoked_subcommand is None:
        console.print(statement(settings_or_exit()), markup=False)


def _people() -> People:
    settings = settings_or_exit()
    with configuration_errors(settings):
        sessions = open_settings_database(settings)
    return People(sessions, settings.admin_ids, settings.moderator_ids)


def find_person(people: People, who: str) -> Person:
    """The person named, without making one for an unknown account; a clear exit otherwise."""
    who = who.strip()
    if ":" in who and not who.startswith("#"):
        platform, uid = who.split(":", 1)
        found = people.find(platform.strip().lower(), uid.strip())
    else:
        found = people.resolve(who) if who else None
    if found is None and who and not who.startswith("#"):
        same = named(people, who)
        if len(same) > 1:  # never pick one of them
            ids = ", ".join(f"#{i}" for i in same)
            error(
                err, f"{who!r} names {len(same)} people ({ids}): say which with #<person id> or platform:id."
            )
            raise typer.Exit(1)
    if found is None:
        error(err, f"I don't know {who!r}. {WHO}")
        raise typer.Exit(1)
    return found


def named(people: People, name: str) -> list[int]:
    """The ids of everyone with this name (as a person or on one of their accounts)."""
    with people.sessions() as s:
        ids = set(s.scalars(select(PersonRecord.id).where(PersonRecord.name == name)))
        ids |= set(s.scalars(select(AccountRecord.person_id).where(AccountRecord.name == name)))
    return sorted(ids)


@privacy_app.command("export")
def export_cmd(
    who: str = typer.Argument(..., help=WHO),
    out: Path | None = typer.Option(
        None, "--out", help="Write to this file (.json or .csv; a .csv is written next to a .json)."
    ),
) -> None:
    """Everything stored about one person, as JSON (stdout) or files."""
    people = _people()
    person = find_person(people, who)
    doc = export(people.sessions, person.id, utcnow())
    assert doc is not None  # just found
    if out is None:
        sys.stdout.write(to_json(doc).decode("utf-8") + "\n")
        return
    try:
        if out.suffix.lower() == ".csv":
            out.write_bytes(to_csv(doc))
            written = [out]
        else:
            out.write_bytes(to_json(doc))
            out.with_suffix(".csv").write_bytes(to_csv(doc))
            written = [out, out.with_suffix(".csv")]
    except OSError as exc:
        error(err, f"Cannot write {out}: {exc.strerror or exc}")
        raise typer.Exit(1) from None
    rows = sum(len(r) for r in doc["tables"].values())
    console.print(
        f"{person.label}: {rows} rows from {len(doc['tables'])} tables -> " + ", ".join(map(str, written)),
        markup=False,
    )


@privacy_app.command("forget")
def forget_cmd(
    who: str = typer.Argument(..., help=WHO),
    now: bool = typer.Option(False, "--now", help="Erase now instead of after the grace period."),
) -> None:
    """Forget a person after VERBINDER_FORGET_GRACE_HOURS (/vergeet_mij annuleren stops it), or now."""
    people = _people()
    person = find_person(people, who)
    rt = runtime_or_exit()
    outbox, scheduler = Outbox(rt.sessions), Scheduler(rt.sessions)
    feature = privacy_feature(rt, people, outbox, scheduler, utcnow)
    for job in feature.contribution().jobs:
        scheduler.add(job)
    label = person.label
    if now:
        feature.cancel(person.id)
        done = feature.eraser.erase(person.id)
        summary = ", ".join(f"{k} {v}" for k, v in sorted((done or {}).items()) if v)
        console.print(f"{label} is forgotten ({summary or 'nothing else was stored'}).", markup=False)
        console.print("Messages to take back are in the outbox: the running bot sends them.", markup=False)
        return
    due = feature.pending(person.id) or feature.request(person, "nl", None)
    console.print(
        f"{label} will be forgotten on {local_label(due)} (Amsterdam time); `--now` erases at once.",
        markup=False,
    )


@privacy_app.command("retention")
def retention_cmd(
    dry_run: bool = typer.Option(False, "--dry-run", help="Only count what would be deleted or anonymised."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Delete and anonymise what is older than the retention settings (what the daily job does)."""
    settings = settings_or_exit()
    with configuration_errors(settings):
        sessions = open_settings_database(settings)
    retention = Retention(sessions, retention_policy(settings), utcnow)
    last = retention.last_run()
    overdue = retention.overdue()
    counts = retention.preview() if dry_run else retention.run()
    if as_json:
        report = {
            "dry_run": dry_run,
            "counts": counts,
            "last_run": last.isoformat() if last else None,
            "overdue": overdue,
        }
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
    else:
        verb = "would go" if dry_run else "went"
        console.print(
            f"What {verb} (questions > {settings.retention_questions_days:g} days, answers > "
            f"{settings.retention_answers_days:g} days, logs > {settings.retention_logs_days:g} days):",
            markup=False,
        )
        for kind, parts in counts.items():
            console.print(f"  {kind}: " + ", ".join(f"{k} {v}" for k, v in parts.items()), markup=False)
        console.print(f"Last run of the daily job: {local_label(last) if last else 'never'}.", markup=False)
    if overdue:
        error(
            err, "the daily retention job has not run for more than 2 days: is the bot running?", "Warning:"
        )
