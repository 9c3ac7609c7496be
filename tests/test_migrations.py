"""The alembic migrations create exactly the tables and columns the ORM models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot import expert_records, records  # noqa: F401  (register the tables)
from bot.db import Base, make_engine, migrate
from knowledge_base import records as kb_records  # noqa: F401


def test_migrations_match_the_models(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate(engine)
    migrate(engine)  # idempotent
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(ctx, Base.metadata)
    # Index differences are cosmetic on SQLite; tables and columns must match exactly.
    relevant = [d for d in diff if d[0] in ("add_table", "remove_table", "add_column", "remove_column")]
    assert relevant == []
