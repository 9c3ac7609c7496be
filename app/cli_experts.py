"""`verbinder experts`: register, list, import and remove the experts questions are routed to."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from adapters.terminal import error, terminal
from app.runtime import open_settings_database
from app.setup_errors import configuration_errors, settings_or_exit
from bot.experts.directory import ExpertDirectory, ExpertError
from storage.db import utcnow

experts_app = typer.Typer(help="Experts that routed questions go to.", no_args_is_help=True)
console = terminal()
err = terminal(stderr=True)


def _store() -> ExpertDirectory:
    settings = settings_or_exit()
    with configuration_errors(settings):
        return ExpertDirectory(open_settings_database(settings))


@experts_app.command("add")
def add(
    name: str = typer.Argument(..., help="Display name."),
    slack: str = typer.Option("", "--slack", help="Slack user id (U…)."),
    telegram: str = typer.Option("", "--telegram", help="Telegram user id (numeric)."),
    expertise: str = typer.Option("", "--expertise", help="What this expert knows, in free text."),
    tags: str = typer.Option("", "--tags", help="Comma-separated themes, e.g. ouderen,eenzaamheid."),
    sectors: str = typer.Option("", "--sectors", help="Comma-separated sectors."),
    regions: str = typer.Option("", "--regions", help="Comma-separated provinces/municipalities."),
    languages: str = typer.Option("nl", "--languages", help="Comma-separated, e.g. nl,en."),
    capacity: int = typer.Option(3, "--capacity", help="Open questions at most."),
    moderator: bool = typer.Option(False, "--moderator", help="Also a moderator."),
) -> None:
    """Register an expert (or update the one with the same platform id)."""
    try:
        e = _store().add(
            name,
            slack_user_id=slack or None,
            telegram_user_id=telegram or None,
            expertise=expertise,
            tags=tags,
            sectors=sectors,
            regions=regions,
            languages=languages,
            capacity=capacity,
            moderator=moderator,
            update=True,
        )
    except ExpertError as exc:
        error(err, str(exc))
        raise typer.Exit(2) from None
    console.print(f"Expert #{e.id} {e.name} saved.")


@experts_app.command("import")
def import_(path: Path = typer.Argument(..., help="YAML file: a list of experts.")) -> None:
    """Add or update the experts in a YAML file; bad entries are reported, good ones kept."""
    try:
        done, errors = _store().import_yaml(path)
    except ExpertError as exc:
        error(err, str(exc))
        raise typer.Exit(2) from None
    console.print(f"{len(done)} experts imported.")
    for problem in errors:
        error(err, problem, "Skipped:")
    if errors:
        raise typer.Exit(1)


@experts_app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List active experts with availability and open questions."""
    experts = _store().all()
    now = utcnow()
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "id": e.id,
                        "name": e.name,
                        "slack": e.slack_user_id,
                        "telegram": e.telegram_user_id,
                        "expertise": e.expertise,
                        "tags": list(e.tags),
                        "sectors": list(e.sectors),
                        "regions": list(e.regions),
                        "languages": list(e.languages),
                        "capacity": e.capacity,
                        "open": e.open_claims,
                        "available": e.available(now),
                        "moderator": e.moderator,
                        "away_until": e.away_until.isoformat() if e.away_until else None,
                    }
                    for e in experts
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    table = Table("id", "name", "platforms", "tags", "regions", "lang", "open", "status")
    for e in experts:
        ids = ", ".join(
            x
            for x in (
                e.slack_user_id and f"slack:{e.slack_user_id}",
                e.telegram_user_id and f"telegram:{e.telegram_user_id}",
            )
            if x
        )
        status = (
            "available"
            if e.available(now)
            else (f"away until {e.away_until:%Y-%m-%d}" if e.away_until and e.away_until > now else "full")
        )
        table.add_row(
            str(e.id),
            e.name + (" (mod)" if e.moderator else ""),
            ids,
            ", ".join(e.tags),
            ", ".join(e.regions),
            ",".join(e.languages),
            f"{e.open_claims}/{e.capacity}",
            status,
        )
    console.print(
        table if experts else "No experts yet: `verbinder experts add` or `verbinder experts import`."
    )


@experts_app.command("remove")
def remove(ref: str = typer.Argument(..., help="Expert id, platform user id or name.")) -> None:
    """Remove an expert (their answered questions keep their name)."""
    e = _store().remove(ref)
    if e is None:
        error(err, f"no expert matches {ref!r}.")
        raise typer.Exit(1)
    console.print(f"Expert {e.name} removed.")
