"""Dense index: chunk embeddings in Chroma (local directory or a Chroma server).

Chroma holds only what vector search needs: the chunk id and its embedding. The chunk text and
its document live in the SQL database, which also knows a document's chunk ids, so vectors are
deleted by id. Storing text in Chroma made it maintain a full-text index over every passage (most
of the ingest time, never used); a `path` metadata field per vector cost a fifth of the add time.
Indexes written by older versions (with text or metadata) hold the same ids and vectors and keep
working; no rebuild is needed.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Iterator, Sequence
from pathlib import Path

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)

_DELETE_BATCH = 500
# HNSW search breadth: exact on a few thousand chunks, and the same answer in every process.
EF_SEARCH = 400
# Vectors per Chroma add(): larger calls are cheaper up to about this size; beyond it they gain
# no time but make Chroma hold more memory (measured with the local client, 256-dim vectors:
# 50k vectors took the same time in calls of 2,500 and of 5,461, the client's limit, with
# 40 MB less peak RSS).
_ADD_BATCH = 2500


@contextlib.contextmanager
def write_lock(path: Path | None, wait: bool = True) -> Iterator[bool]:
    """An advisory lock on `path` across processes (flock): held while vectors are written, so that
    the start-up check of knowledge_base/dense_check.py never probes an index another process is
    writing. Yields whether it was taken (always, when `wait`); no lock without a path or on
    systems without flock."""
    if path is None:
        yield True
        return
    try:
        import fcntl
    except ImportError:  # not POSIX: no advisory locks
        yield True
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def make_client(host: str, port: int, folder: Path) -> chromadb.ClientAPI:
    """A Chroma client: HTTP when a host is set, else an embedded store in `folder`."""
    settings = ChromaSettings(anonymized_telemetry=False)
    if host:
        return chromadb.HttpClient(host=host, port=port, settings=settings)
    folder.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(folder), settings=settings)


def embed_passages(embeddings: Embeddings, texts: list[str]) -> np.ndarray:
    """Passage embeddings as one float32 matrix (no round trip through Python lists if possible)."""
    embed_array = getattr(embeddings, "embed_array", None)
    if callable(embed_array):
        return np.asarray(embed_array(texts), dtype=np.float32)
    return np.asarray(embeddings.embed_documents(texts), dtype=np.float32)


class DenseIndex:
    """Chunk vectors in one Chroma collection (ids, embeddings and a `path` field only)."""

    def __init__(
        self,
        client: chromadb.ClientAPI,
        collection: str,
        embeddings: Embeddings,
        lock_path: Path | None = None,
    ) -> None:
        self._client = client
        self._lock_path = lock_path  # a local directory's write lock (see write_lock)
        self._name = collection
        self.embeddings = embeddings
        self.collection = self._open()
        self._count: int | None = None
        self._max_batch: int | None = None

    def _open(self) -> chromadb.Collection:
        collection = self._client.get_or_create_collection(
            name=self._name, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )
        # Chroma's default search breadth (100) misses a few of the 40 nearest chunks, and which
        # ones differs per process (the graph of recent vectors is rebuilt at each start): the same
        # question could be answered differently after a restart. A wider search is exact on a
        # community-sized index and cheap on 50,000 chunks (bench/bench_dense_search.py).
        try:
            hnsw = (collection.configuration or {}).get("hnsw") or {}
            if int(hnsw.get("ef_search") or 0) < EF_SEARCH:
                collection.modify(configuration={"hnsw": {"ef_search": EF_SEARCH}})
        except Exception as exc:  # noqa: BLE001 - a server that cannot change it keeps its own
            log.info("dense index: search breadth left at Chroma's default (%s)", exc)
        return collection

    def _batch_size(self) -> int:
        if self._max_batch is None:
            try:
                self._max_batch = max(1, int(self._client.get_max_batch_size()))
            except Exception:  # noqa: BLE001 - older servers: stay well below their limit
                self._max_batch = 1000
        return self._max_batch

    def count(self) -> int:
        """Number of stored vectors."""
        return int(self.collection.count())

    def forget_count(self) -> None:
        """Drop the cached vector count (another process may have written)."""
        self._count = None

    def add(self, ids: list[str], texts: list[str]) -> None:
        """Embed passages in bulk and add them; the ids must not be stored yet.

        The caller deletes a document's old vectors (`delete_ids`) before adding its new ones,
        so the cheaper `add` is used instead of `upsert`.
        """
        if not ids:
            return
        self._count = None
        # Equal batches of about _ADD_BATCH (never above the client's limit), each embedded in
        # one go. An ingest batch of slightly more than _ADD_BATCH stays one call.
        n_batches = max(1, round(len(ids) / _ADD_BATCH), math.ceil(len(ids) / self._batch_size()))
        step = math.ceil(len(ids) / n_batches)
        for i in range(0, len(ids), step):
            vectors = embed_passages(self.embeddings, texts[i : i + step])
            with write_lock(self._lock_path):
                self.collection.add(ids=ids[i : i + step], embeddings=vectors)

    def ids(self) -> list[str]:
        """Every stored vector id (for the consistency check after an interrupted write)."""
        out: list[str] = []
        total = self.count()
        step = self._batch_size()
        for offset in range(0, total, step):
            out += self.collection.get(include=[], limit=step, offset=offset)["ids"]
        return out

    def delete_ids(self, ids: list[str]) -> None:
        """Remove vectors by id (ids that are not stored are ignored)."""
        if not ids:
            return
        self._count = None
        with write_lock(self._lock_path):
            for i in range(0, len(ids), _DELETE_BATCH):
                self.collection.delete(ids=ids[i : i + _DELETE_BATCH])

    def reset(self) -> None:
        """Drop and recreate the collection (used by rebuild)."""
        try:
            self._client.delete_collection(self._name)
        except Exception:  # noqa: BLE001 - absent collection is fine
            pass
        self.collection = self._open()
        self._count = None

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Top-k chunk ids with cosine similarity."""
        if k <= 0:
            return []
        if self._count is None:  # collection.count() costs milliseconds on large collections
            self._count = self.count()
        if self._count == 0:
            return []
        vectors: list[Sequence[float]] = [self.embeddings.embed_query(query)]
        res = self.collection.query(
            query_embeddings=vectors, n_results=min(k, self._count), include=["distances"]
        )
        ids = res["ids"][0]
        dists = (res.get("distances") or [[]])[0]
        return [(cid, 1.0 - float(d)) for cid, d in zip(ids, dists, strict=False)]
