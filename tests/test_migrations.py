"""The alembic migrations create exactly the tables and columns the ORM models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.schema import metadata
from storage.db import make_engine, migrate


def test_migrations_match_the_models(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate(engine)
    migrate(engine)  # idempotent
    models = metadata()
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(ctx, models)
        tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
    # Index differences are cosmetic on SQLite; tables and columns must match exactly.
    relevant = [d for d in diff if d[0] in ("add_table", "remove_table", "add_column", "remove_column")]
    assert relevant == []
    assert tables == set(models.tables) and "scheduled_jobs" in tables
