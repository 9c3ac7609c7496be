"""Alembic environment: runs on the connection handed over by `bot.db.migrate`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from bot import expert_records as _experts  # noqa: F401  (registers the tables)
from bot import records as _conversations  # noqa: F401  (registers the tables)
from bot.db import Base
from knowledge_base import records  # noqa: F401  (registers the tables)

target_metadata = Base.metadata
config = context.config


def run() -> None:
    """Run migrations online, on a given connection or a URL from the config."""
    conn = config.attributes.get("connection")
    if conn is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
        with engine.begin() as conn:
            context.configure(connection=conn, target_metadata=target_metadata)
            context.run_migrations()
        return
    context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
