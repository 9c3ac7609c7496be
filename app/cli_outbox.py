"""`verbinder outbox list`: what is waiting to be sent, and why what failed failed."""

from __future__ import annotations

import typer
from rich.table import Table
from rich.text import Text

from adapters.terminal import terminal
from app.runtime import open_settings_database
from app.setup_errors import configuration_errors, settings_or_exit
from bot.delivery.outbox import MAX_ATTEMPTS, Outbox

outbox_app = typer.Typer(help="Messages waiting to be sent (the outbox).", no_args_is_help=True)
console = terminal()


@outbox_app.command("list")
def outbox_list(
    failed: bool = typer.Option(False, "--failed", help="Only messages that failed at least once."),
    limit: int = typer.Option(100, "--limit", min=1, max=100_000),
) -> None:
    """Unsent messages, oldest first: where to, what for, attempts and the last error."""
    settings = settings_or_exit()
    with configuration_errors(settings):
        rows = Outbox(open_settings_database(settings)).unsent(failed, limit)
    if not rows:
        console.print("Nothing failed." if failed else "Nothing is waiting to be sent.", markup=False)
        return
    table = Table("id", "created (UTC)", "to", "what", "attempts", "last error")
    for r in rows:
        chat = str((r.payload.get("chat") or {}).get("chat_id", ""))
        gave_up = " (given up)" if r.attempts >= MAX_ATTEMPTS else ""
        cells = (
            str(r.id),
            r.created_at.strftime("%Y-%m-%d %H:%M"),
            f"{r.platform}:{chat}",
            f"{r.op} {r.purpose}",
            f"{r.attempts}{gave_up}",
            r.error[:120],
        )
        table.add_row(*(Text(c) for c in cells))
    console.print(table)
