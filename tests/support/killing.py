"""Kill `verbinder ingest` at a random moment of its writing, then check the three stores agree.

Shared by tests/test_interrupted_ingest.py (a couple of kills) and bench/kill_ingest.py (many).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Five SQL batches of 1,000: the writing after the first commit (Chroma, the later batches, BM25)
# must outlast the random kill delay (0-0.6 s). With 2,600 it took 0.5 s once embedding got faster,
# and a kill could land after the end.
KILL_DOCUMENTS = 5000


def write_many(folder: Path, n: int) -> None:
    """n small Dutch documents with one distinctive fact each (one chunk apiece)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"project-{i:05d}.md").write_text(
            f"---\ntitle: Project {i}\nlanguage: nl\nkind: project\n---\n"
            f"Het wijkkoor Klankkast{i} repeteert elke week in buurthuis Vlinder{i} met ouderen.\n",
            encoding="utf-8",
        )


def child_env(data_dir: Path) -> dict[str, str]:
    """The environment of a child process on this data dir (no VERBINDER_ settings of the caller)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERBINDER_")}
    env.update(VERBINDER_DATA_DIR=str(data_dir), VERBINDER_SAMPLE_KB="false", PYTHONPATH=str(ROOT))
    return env


def _documents(db: Path) -> str:
    """A fingerprint of the stored documents: it changes when a batch is committed."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2) as c:
            row = c.execute("select count(*), group_concat(content_hash, '') from kb_documents").fetchone()
            return f"{row[0]}:{row[1]}" if row[0] else ""  # a fresh database's empty table: none yet
    except sqlite3.Error:
        return ""


def ingest_in_child(data_dir: Path, src: Path) -> None:
    """A whole `verbinder ingest` in its own process (so this one holds no Chroma client)."""
    subprocess.run(
        [sys.executable, "-m", "app.cli", "ingest", str(src)],
        env=child_env(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
        timeout=300,
    )


def kill_during_ingest(data_dir: Path, src: Path, rng: random.Random, timeout: float = 120.0) -> bool:
    """Start an ingest and SIGKILL it soon after its first batch is in SQL; False if it ended first."""
    db = data_dir / "verbinder.db"
    before = _documents(db)
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "ingest", str(src)],
        env=child_env(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if _documents(db) != before:  # a batch is committed: Chroma and BM25 are being written
                time.sleep(rng.uniform(0.0, 0.6))
                break
            time.sleep(0.02)
        if proc.poll() is not None:
            return False
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        return True
    finally:
        if proc.poll() is None:
            proc.kill()


def consistency(data_dir: Path) -> dict[str, int]:
    """Open the knowledge base in a new process, as `verbinder` does (repair + freshness check), and
    count each store. A new process: chromadb keeps one client per folder and process, whose
    in-memory index does not see what another process wrote."""
    code = (
        "import json, sys; sys.path[:0] = [sys.argv[1], sys.argv[1] + '/tests'];"
        "from support.killing import _consistency; from pathlib import Path;"
        "print(json.dumps(_consistency(Path(sys.argv[2]))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(ROOT), str(data_dir)],
        env=child_env(data_dir),
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise RuntimeError(f"opening the knowledge base failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _consistency(data_dir: Path) -> dict[str, int]:
    from sqlalchemy import select

    from app.runtime import build_runtime
    from bot.config import Settings
    from knowledge_base.records import ChunkRecord

    rt = build_runtime(Settings(data_dir=data_dir, sample_kb=False, _env_file=None))
    kb = rt.kb
    with kb.sessions() as s:
        sql = set(s.scalars(select(ChunkRecord.id)))
    dense = set(kb.dense.ids())
    lexical = set(kb.lexical.ids)
    return {
        "sql": len(sql),
        "dense": len(dense),
        "lexical": len(lexical),
        "dense_differs": len(sql ^ dense),
        "dense_stale": _stale_vectors(kb, sorted(sql & dense)),
        "lexical_differs": len(sql ^ lexical),
    }


def _stale_vectors(kb, ids: list[str]) -> int:  # type: ignore[no-untyped-def]
    """Vectors that are not the embedding of their chunk's stored text (an update half applied)."""
    import numpy as np
    from sqlalchemy import select

    from knowledge_base.dense import embed_passages
    from knowledge_base.records import ChunkRecord
    from knowledge_base.store import passage_header

    stale = 0
    with kb.sessions() as s:
        rows = {r.id: r for r in s.scalars(select(ChunkRecord))}
    docs = {d.path: d for d in kb.documents()}
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        got = kb.dense.collection.get(ids=part, include=["embeddings"])
        stored = dict(zip(got["ids"], got["embeddings"], strict=True))
        texts = [passage_header(docs[rows[c].doc_path], rows[c].heading) + "\n" + rows[c].text for c in part]
        fresh = embed_passages(kb.dense.embeddings, texts)
        for c, v in zip(part, fresh, strict=True):
            a = np.asarray(stored[c], dtype=np.float32)
            cos = float(a @ v / ((np.linalg.norm(a) * np.linalg.norm(v)) or 1.0))
            stale += cos < 0.999
    return stale
