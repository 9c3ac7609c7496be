"""Database engine, ORM base and schema migrations (SQLite by default, PostgreSQL for scale-out)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class Base(DeclarativeBase):
    """Declarative base for every Verbinder table."""


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL mode and foreign keys."""
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and ":memory:" not in url:
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragma(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine, metadata: MetaData | None = None) -> None:
    """Bring the schema to the latest alembic revision (`metadata`: the models, for autogenerate)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        cfg.attributes["target_metadata"] = metadata if metadata is not None else Base.metadata
        command.upgrade(cfg, "head")


def session_factory(engine: Engine) -> sessionmaker:
    """A session factory bound to the engine."""
    return sessionmaker(engine, expire_on_commit=False)


def open_database(url: str) -> sessionmaker:
    """Migrate the database at `url` and return a session factory."""
    engine = make_engine(url)
    migrate(engine)
    return session_factory(engine)


def insert_missing(s: Session, model: type[Base], row: dict[str, Any]) -> None:
    """INSERT a row unless one with its primary key exists (ON CONFLICT DO NOTHING), inside the
    caller's transaction: two writers creating the same row at once both go on."""
    dialect = s.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        module = sqlite if dialect == "sqlite" else postgresql
        s.execute(module.insert(model).values(row).on_conflict_do_nothing())
        return
    key = tuple(row[c.name] for c in model.__table__.primary_key.columns)  # type: ignore[attr-defined]
    if s.get(model, key) is None:  # another database: not safe against a concurrent writer
        s.add(model(**row))
        s.flush()


def utcnow() -> datetime:
    """The current time in UTC, naive (how every timestamp is stored)."""
    return datetime.now(UTC).replace(tzinfo=None)
