"""Shared fixtures: isolated settings, a fixture corpus and one ingested knowledge base per session."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
import support.docs as D
from support.docs import make_settings

from app.runtime import Runtime, build_runtime
from bot.config import Settings
from ingest.pipeline import IngestReport


@pytest.fixture(scope="session", autouse=True)
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory):
    """No VERBINDER_* variable or `.env` of the developer may leak into the tests."""
    mp = pytest.MonkeyPatch()
    for key in list(os.environ):
        if key.startswith(("VERBINDER_", "SLACK_", "TELEGRAM_")):
            mp.delenv(key)
    # Settings() in the CLI reads `.env` from the working directory: use an empty one.
    mp.chdir(tmp_path_factory.mktemp("cwd"))
    yield
    mp.undo()


@dataclass
class KB:
    """An ingested knowledge base shared by read-only tests."""

    settings: Settings
    rt: Runtime
    report: IngestReport
    corpus: Path

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with every well-formed fixture document (md nl/en, txt, html, docx, pdf)."""
    return D.write_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="session")
def kb(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> KB:
    """The fixture corpus ingested once; tests using it must not change it."""
    settings = make_settings(tmp_path_factory.mktemp("kb") / "data")
    rt = build_runtime(settings)
    report = rt.ingest([corpus_dir])
    assert report.ok, report.failed
    return KB(settings, rt, report, corpus_dir)


@pytest.fixture
def new_runtime(tmp_path: Path):
    """Factory for a fresh, empty runtime in this test's temporary folder."""

    def make(**overrides: object) -> Runtime:
        return build_runtime(make_settings(tmp_path / "data", **overrides))

    return make
