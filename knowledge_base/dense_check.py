"""After a write was killed: check a local Chroma directory in a child process before trusting it.

chromadb's local files are not kill-safe. Most damage raises an error that `repair()` handles, but
a segment file cut off mid-write once made chromadb's native code crash the whole process on the
next add (a segmentation fault, which no `except` catches). So when SQL says a write did not
finish, the directory is first opened, read and written once in a child process; if that child
dies or fails, the directory is set aside and the vectors are rebuilt from the database.
A clean start (no interrupted write) pays nothing.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from knowledge_base.dense import write_lock
from knowledge_base.records import MetaRecord

log = logging.getLogger(__name__)

_PROBE_SECONDS = 120.0
# Run in the child: everything repair() and the next ingest do with the collection (count, read
# every id, query, add and delete one vector), on the real files.
_PROBE = """
import sys
import chromadb
from chromadb.config import Settings
client = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False))
names = [getattr(c, "name", c) for c in client.list_collections()]
if sys.argv[2] in names:
    col = client.get_collection(sys.argv[2])
    n = col.count()
    step = max(1, int(client.get_max_batch_size()))
    for offset in range(0, n, step):
        col.get(include=[], limit=step, offset=offset)
    if n:
        one = col.get(limit=1, include=["embeddings"])
        vector = [float(x) for x in one["embeddings"][0]]
        col.query(query_embeddings=[vector], n_results=min(5, n), include=["distances"])
        col.add(ids=["__verbinder_probe__"], embeddings=[vector])
        col.delete(ids=["__verbinder_probe__"])
"""


def write_interrupted(sessions: sessionmaker[Session]) -> bool:
    """SQL records a vector write that did not finish (the process was killed during it)."""
    with sessions() as s:
        rec = s.get(MetaRecord, "dense_pending")
        return bool(rec and rec.value)


def local_index_sound(folder: Path, collection: str) -> bool:
    """The Chroma directory can be opened, read and written by a child process without failing."""
    if not folder.exists():
        return True
    try:
        done = subprocess.run(
            [sys.executable, "-c", _PROBE, str(folder), collection],
            capture_output=True,
            timeout=_PROBE_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:  # unknown, not damaged: leave it to repair()
        log.warning("checking the vector index took over %.0f s; using it as it is", _PROBE_SECONDS)
        return True
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        log.warning("the vector index fails when used (%s)", tail[0][:300])
        return False
    return True


def set_aside(folder: Path) -> Path:
    """Move a damaged Chroma directory out of the way (kept for inspection) and return its new path."""
    target = folder.with_name(f"{folder.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
    n = 1
    while target.exists():
        target = folder.with_name(f"{folder.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}-{n}")
        n += 1
    folder.rename(target)
    log.warning(
        "moved the damaged vector index to %s (delete it when no longer needed); rebuilding it from "
        "the database",
        target,
    )
    return target


def lock_path(folder: Path) -> Path:
    """The write lock of a local Chroma directory (beside it, so that setting it aside keeps it)."""
    return folder.with_name(f"{folder.name}.lock")


def check_local_index(sessions: sessionmaker[Session], folder: Path, collection: str) -> bool:
    """Before opening a local index after an interrupted write: set it aside when it is damaged, so
    that repair() rebuilds every vector from SQL. Returns True when it was set aside.

    An index another process is writing right now (an ingest beside the bot) is left alone: its
    write lock is held, and its pending marker belongs to that live write, not to a killed one.
    """
    if not write_interrupted(sessions):
        return False
    with write_lock(lock_path(folder), wait=False) as free:
        if not free:
            log.info("another process is writing the vector index; not checking it now")
            return False
        if local_index_sound(folder, collection):
            return False
        try:
            set_aside(folder)
        except OSError as exc:  # a mount point cannot be renamed: repair() makes do with it
            log.warning("could not move the damaged vector index aside (%s); repairing it in place", exc)
            return False
        return True
