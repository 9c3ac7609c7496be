"""Alembic environment: runs on the connection handed over by `storage.db.migrate`.

The migration scripts spell out every table, so upgrading needs no models. `migrate()` hands over
the models' metadata for autogenerate; the tables register themselves on `storage.db.Base` when
their modules are imported (`app.schema` imports them all).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from storage.db import Base

config = context.config
target_metadata = config.attributes.get("target_metadata", Base.metadata)


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
