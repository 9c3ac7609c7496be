"""An ingest killed at a random moment leaves SQL, Chroma and the BM25 snapshot consistent."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys

import pytest
from support.killing import (
    KILL_DOCUMENTS,
    child_env,
    consistency,
    ingest_in_child,
    kill_during_ingest,
    write_many,
)

from app.runtime import build_runtime, open_settings_database
from bot.config import Settings
from knowledge_base.dense import write_lock
from knowledge_base.dense_check import check_local_index, lock_path


@pytest.mark.parametrize("seed", [1, 2])
def test_a_killed_ingest_is_repaired_at_the_next_start(tmp_path, seed):
    src, data = tmp_path / "src", tmp_path / "data"
    write_many(src, KILL_DOCUMENTS)  # several SQL batches: the kill lands between a commit and the rest
    rng = random.Random(seed)
    killed = kill_during_ingest(data, src, rng)
    assert killed, "the ingest ended before it could be killed"
    counts = consistency(data)
    assert counts["sql"] > 0
    assert counts["dense_differs"] == counts["dense_stale"] == counts["lexical_differs"] == 0, counts
    # A re-run finishes the job, and a document of the last batch is found by its words.
    rt = build_runtime(Settings(data_dir=data, sample_kb=False, _env_file=None))
    report = rt.ingest([src])
    assert report.ok and len(report.added) + len(report.unchanged) == KILL_DOCUMENTS
    last = KILL_DOCUMENTS - 1
    answer = rt.assistant.ask(f"Waar repeteert het wijkkoor Klankkast{last}?")
    assert f"Vlinder{last}" in answer.answer


def test_a_vector_index_broken_by_a_kill_is_rebuilt_from_the_database(tmp_path):
    # chromadb's local HNSW files are not kill-safe: a kill mid-write once left an empty pickle,
    # and every later read failed ("Error deserializing pickle file").
    src, data = tmp_path / "src", tmp_path / "data"
    write_many(src, 1200)
    rt = build_runtime(Settings(data_dir=data, sample_kb=False, _env_file=None))
    assert rt.ingest([src]).ok
    pickles = list((data / "chroma").rglob("index_metadata.pickle"))
    assert pickles, "chromadb wrote no HNSW metadata to break"
    for f in pickles:
        f.write_bytes(b"")
    counts = consistency(data)  # a new process, as after a restart
    assert counts["sql"] == counts["dense"] == 1200 and counts["dense_stale"] == 0, counts


def test_a_vector_index_that_fails_in_use_after_a_kill_is_set_aside_and_rebuilt(tmp_path):
    # Some damage only shows when the index is used, and once it crashed the process outright
    # (a segmentation fault in chromadb's native code): after an interrupted write the directory
    # is tried in a child process first.
    src, data = tmp_path / "src", tmp_path / "data"
    write_many(src, 1200)
    ingest_in_child(data, src)
    headers = list((data / "chroma").rglob("header.bin"))
    assert headers, "chromadb wrote no HNSW header to break"
    for f in headers:
        f.write_bytes(b"\xff" * f.stat().st_size)
    with sqlite3.connect(data / "verbinder.db") as c:  # as a kill mid-write leaves it
        c.execute("update kb_meta set value = '[\"project-00007.md\"]' where key = 'dense_pending'")
    rt = build_runtime(Settings(data_dir=data, sample_kb=False, _env_file=None))
    assert [p.name.startswith("chroma.damaged-") for p in data.iterdir()].count(True) == 1
    assert rt.kb.dense.count() == 1200
    assert "Vlinder7" in rt.assistant.ask("Waar repeteert het wijkkoor Klankkast7?").answer
    counts = consistency(data)
    assert counts["dense_differs"] == counts["dense_stale"] == 0, counts


def _damaged(tmp_path, pending: bool):  # type: ignore[no-untyped-def]
    """A data dir whose Chroma HNSW header is garbage, with or without an unfinished write in SQL."""
    src, data = tmp_path / "src", tmp_path / "data"
    write_many(src, 1200)
    ingest_in_child(data, src)
    for f in (data / "chroma").rglob("header.bin"):
        f.write_bytes(b"\xff" * f.stat().st_size)
    if pending:
        with sqlite3.connect(data / "verbinder.db") as c:
            c.execute("update kb_meta set value = '[\"project-00007.md\"]' where key = 'dense_pending'")
    settings = Settings(data_dir=data, sample_kb=False, _env_file=None)
    return settings, open_settings_database(settings)


def test_a_clean_start_does_not_check_the_vector_index(tmp_path):
    # No unfinished write: the directory is not tried in a child, so even a damaged one stays put.
    settings, sessions = _damaged(tmp_path, pending=False)
    assert not check_local_index(sessions, settings.chroma_dir, settings.chroma_collection)
    assert settings.chroma_dir.is_dir()
    assert not [p for p in settings.data_dir.iterdir() if ".damaged-" in p.name]


def test_an_index_another_process_is_writing_is_not_checked(tmp_path):
    # Its pending marker belongs to a live write (an ingest beside the bot), not to a killed one.
    settings, sessions = _damaged(tmp_path, pending=True)
    with write_lock(lock_path(settings.chroma_dir)):
        code = (
            "import sys; from pathlib import Path; from app.runtime import open_settings_database;"
            "from bot.config import Settings; from knowledge_base.dense_check import check_local_index;"
            f"s = Settings(data_dir=Path({str(settings.data_dir)!r}), sample_kb=False, _env_file=None);"
            "sys.exit(int(check_local_index(open_settings_database(s), s.chroma_dir, s.chroma_collection)))"
        )
        done = subprocess.run([sys.executable, "-c", code], env=child_env(settings.data_dir), check=False)
    assert done.returncode == 0  # not set aside
    assert settings.chroma_dir.is_dir()
    assert check_local_index(sessions, settings.chroma_dir, settings.chroma_collection)  # once free
