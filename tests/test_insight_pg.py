"""The report's SQL on PostgreSQL: the same synthetic month gives the same figures, gaps and CSV as
on SQLite (GROUP BY over computed week buckets is where the two databases differ).

Needs a PostgreSQL server (VERBINDER_TEST_PG_URL, as tests/test_routing_pg.py); skips without one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from test_insight import NOW, synthetic_month, write
from test_routing_pg import pg_url  # noqa: F401 - the module's fresh database on the server

from bot.insight.report import Reports
from bot.privacy.pseudonyms import Pseudonyms
from storage.db import open_database


@pytest.fixture(scope="module")
def pg_reports(pg_url: str) -> Iterator[Reports]:  # noqa: F811
    sessions = open_database(pg_url)
    write(sessions, synthetic_month())
    yield Reports(sessions, pseudonyms=Pseudonyms(sessions, "key"), clock=lambda: NOW)
    create_engine(pg_url).dispose()


def test_postgresql_gives_the_figures_sqlite_gives(pg_reports: Reports, tmp_path: Path) -> None:
    lite = open_database(f"sqlite:///{tmp_path / 'lite.db'}")
    write(lite, synthetic_month())
    local = Reports(lite, pseudonyms=Pseudonyms(lite, "key"), clock=lambda: NOW)
    on_pg, on_lite = pg_reports.build(4), local.build(4)
    assert on_pg.figures.per_week == on_lite.figures.per_week
    assert on_pg.figures.topics == on_lite.figures.topics
    assert on_pg.gaps == on_lite.gaps
    assert on_pg.text("nl").split("\n")[2:] == on_lite.text("nl").split("\n")[2:]
    assert pg_reports.csv(on_pg.figures) == local.csv(on_lite.figures)
    with pg_reports.sessions() as s:
        assert s.execute(text("SELECT count(*) FROM questions")).scalar() == len(synthetic_month().questions)
