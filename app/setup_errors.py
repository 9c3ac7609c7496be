"""Configuration mistakes as one line: which setting, what is wrong, what would be valid (exit 2).

Every CLI command reads its settings and opens its stores through `settings_or_exit` and
`configuration_errors`, so a bad port, level, folder or database URL never prints a traceback.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from adapters.terminal import error, terminal
from bot.config import Settings

err = terminal(stderr=True)


def _env_name(loc: tuple[object, ...]) -> str:
    name = str(loc[0]) if loc else "?"
    return name if name.isupper() else f"VERBINDER_{name.upper()}"


def settings_or_exit() -> Settings:
    """The settings from the environment and .env, or one line per invalid setting and exit 2."""
    try:
        return Settings()
    except ValidationError as exc:
        for e in exc.errors():
            value = e.get("input")
            shown = "" if isinstance(value, dict) else f"={value}"
            message = str(e["msg"]).removeprefix("Value error, ")
            error(err, f"{_env_name(tuple(e['loc']))}{shown}: {message}")
        raise typer.Exit(2) from None


def _safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("@")[-1]  # whatever it is, never print what may be a password


def explain(exc: BaseException, settings: Settings) -> str | None:
    """One line for a configuration problem met while opening the stores; None for anything else."""
    url = _safe_url(settings.database_url) if settings.database_url else ""
    if isinstance(exc, NoSuchModuleError | ArgumentError):
        return (
            f"VERBINDER_DATABASE_URL={url}: not a database URL this installation knows "
            "(use postgresql+psycopg://user@host:5432/db, or leave it empty for SQLite in the data folder)"
        )
    if isinstance(exc, DBAPIError):
        first = str(exc.orig or exc).strip().splitlines()[0][:200]
        where = f"VERBINDER_DATABASE_URL={url}" if url else f"the SQLite database in {settings.data_dir}"
        return f"cannot open {where}: {first}"
    if isinstance(exc, OSError):
        if exc.errno == errno.EADDRINUSE:
            return f"VERBINDER_HTTP_PORT={settings.http_port}: the port is already in use by another program"
        data = str(settings.data_dir.absolute())
        where = str(Path(exc.filename).absolute()) if exc.filename else ""
        if where and (where.startswith(data) or data.startswith(where)):
            return (
                f"VERBINDER_DATA_DIR={settings.data_dir}: cannot create or write it "
                f"({exc.strerror or exc}); choose a folder you may write to"
            )
    return None


@contextmanager
def configuration_errors(settings: Settings) -> Iterator[None]:
    """Turn a configuration problem raised inside the block into one `Error:` line and exit 2."""
    try:
        yield
    except (OSError, ArgumentError, NoSuchModuleError, DBAPIError) as exc:
        message = explain(exc, settings)
        if message is None:
            raise
        error(err, message)
        raise typer.Exit(2) from None
