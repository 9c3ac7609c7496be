"""The knowledge base: document records in SQL, a BM25 index and a Chroma index, kept in step."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from knowledge_base.dense import DenseIndex
from knowledge_base.lexical import LexicalIndex, TokenCache, index_tokens
from knowledge_base.models import Chunk, Document
from knowledge_base.records import ChunkRecord, DocumentRecord, MetaRecord

log = logging.getLogger(__name__)


class IndexMismatchError(RuntimeError):
    """The stored index was built with another embedding model."""


def check_model(sessions: sessionmaker, spec: str) -> None:
    """Raise IndexMismatchError when the stored index was built with another model."""
    with sessions() as s:
        rec = s.get(MetaRecord, "embedding_model")
        stored = rec.value if rec else None
    if stored and stored != spec:
        raise IndexMismatchError(
            f"The knowledge base was built with embedding model '{stored}', but "
            f"VERBINDER_EMBEDDING_MODEL is '{spec}'. Rebuild the index with "
            f"`verbinder kb rebuild` (or set VERBINDER_EMBEDDING_MODEL={stored})."
        )


@dataclass(frozen=True)
class DocInfo:
    """Metadata of a stored document."""

    path: str
    title: str
    url: str | None
    language: str
    kind: str
    meta: dict[str, Any]
    n_chunks: int


def _index(d: DocInfo, heading: str, text: str) -> list[str]:
    """The index tokens of a chunk: its document's title and metadata, its heading, its text."""
    return index_tokens(passage_header(d, heading) + "\n" + text, d.language)


def passage_header(doc: Document | DocInfo, heading: str) -> str:
    """Title, heading and metadata words that are indexed with every chunk."""
    meta = doc.meta() if isinstance(doc, Document) else doc.meta
    bits = [doc.title, heading, " ".join(meta.get("tags") or [])]
    bits += [meta.get("region") or "", " ".join(meta.get("organisations") or [])]
    return " . ".join(b for b in bits if b)


class ChunkText(NamedTuple):
    """What an answer needs of a stored chunk."""

    id: str
    heading: str
    text: str


# Built once (not per ask): the chunks an answer quotes, by id.
_CHUNK_TEXT = select(ChunkRecord.id, ChunkRecord.heading, ChunkRecord.text).where(
    ChunkRecord.id.in_(bindparam("ids", expanding=True))
)


class KnowledgeBase:
    """Owns the three stores and keeps them consistent."""

    def __init__(
        self, sessions: sessionmaker[Session], dense: DenseIndex, lexical_dir: Path, model_spec: str
    ) -> None:
        self.sessions = sessions
        self.dense = dense
        self.lexical = LexicalIndex()
        self._lexical_dir = lexical_dir
        self._pending_version: str | None = None
        self.model_spec = model_spec
        self._lock = threading.RLock()
        self._checked_at = 0.0
        self._doc_cache: dict[str, DocInfo] = {}
        self._token_cache = TokenCache()
        self._docs_loaded = False  # the cache holds every document (one query, then per ask none)

    # -- metadata -----------------------------------------------------------------
    def _meta(self, key: str) -> str | None:
        with self.sessions() as s:
            rec = s.get(MetaRecord, key)
            return rec.value if rec else None

    def _set_meta(self, s: Session, key: str, value: str) -> None:
        rec = s.get(MetaRecord, key)
        if rec:
            rec.value = value
        else:
            s.add(MetaRecord(key=key, value=value))

    # -- reading ------------------------------------------------------------------
    def hashes(self) -> dict[str, str]:
        """Content hash per file-based document path."""
        with self.sessions() as s:
            rows = s.execute(
                select(DocumentRecord.path, DocumentRecord.content_hash).where(
                    DocumentRecord.origin == "file"
                )
            )
            return {p: h for p, h in rows}

    def roots(self) -> dict[str, str]:
        """The ingest root each file-based document came from."""
        with self.sessions() as s:
            rows = s.execute(
                select(DocumentRecord.path, DocumentRecord.meta).where(DocumentRecord.origin == "file")
            )
            return {p: str((m or {}).get("root") or "") for p, m in rows}

    def documents(self) -> list[DocInfo]:
        """All documents, sorted by path."""
        with self.sessions() as s:
            recs = s.scalars(select(DocumentRecord).order_by(DocumentRecord.path)).all()
            return [self._info(r) for r in recs]

    @staticmethod
    def _info(r: DocumentRecord) -> DocInfo:
        return DocInfo(r.path, r.title, r.url, r.language, r.kind, dict(r.meta or {}), r.n_chunks)

    def stats(self) -> dict[str, object]:
        """Counts of documents and chunks by kind and language."""
        docs = self.documents()
        counts: dict[str, Counter[str]] = {k: Counter() for k in ("dk", "dl", "ck", "cl")}
        for d in docs:
            counts["dk"][d.kind] += 1
            counts["dl"][d.language] += 1
            counts["ck"][d.kind] += d.n_chunks
            counts["cl"][d.language] += d.n_chunks
        return {
            "documents": len(docs),
            "chunks": sum(d.n_chunks for d in docs),
            "documents_by_kind": dict(counts["dk"]),
            "documents_by_language": dict(counts["dl"]),
            "chunks_by_kind": dict(counts["ck"]),
            "chunks_by_language": dict(counts["cl"]),
            "embedding_model": self._meta("embedding_model") or self.model_spec,
        }

    def chunks_by_id(self, ids: Iterable[str]) -> dict[str, ChunkText]:
        """Heading and text of the given chunks (plain rows: no ORM objects on the answer path)."""
        ids = list(ids)
        if not ids:
            return {}
        with self.sessions() as s:
            rows = s.execute(_CHUNK_TEXT, {"ids": ids})
            return {r[0]: ChunkText(r[0], r[1] or "", r[2]) for r in rows}

    def doc_info(self, paths: Iterable[str]) -> dict[str, DocInfo]:
        """Document metadata for paths: every document is read once, then kept until the index
        changes (it does not depend on the question, and a query per ask cost milliseconds)."""
        paths = set(paths)
        if not self._docs_loaded:
            with self.sessions() as s:
                docs = {r.path: self._info(r) for r in s.scalars(select(DocumentRecord))}
            self._doc_cache.update(docs)
            self._docs_loaded = True
        missing = [p for p in paths if p not in self._doc_cache]
        if missing:
            with self.sessions() as s:
                for r in s.scalars(select(DocumentRecord).where(DocumentRecord.path.in_(missing))):
                    self._doc_cache[r.path] = self._info(r)
        return {p: self._doc_cache[p] for p in paths if p in self._doc_cache}

    # -- writing ------------------------------------------------------------------
    def upsert(self, items: list[tuple[Document, list[Chunk]]], refresh: bool = True) -> None:
        """Add or replace documents with their chunks in SQL and Chroma."""
        if not items:
            return
        with self._lock:
            paths = [d.path for d, _ in items]
            with self.sessions.begin() as s:
                # The SQL store is the truth; until Chroma and the BM25 snapshot have caught up it
                # says so (a kill in between is repaired at the next start: see repair()).
                self._mark_pending(s, paths)
                old_ids = self._chunk_ids(s, paths)
                s.execute(delete(ChunkRecord).where(ChunkRecord.doc_path.in_(paths)))
                s.execute(delete(DocumentRecord).where(DocumentRecord.path.in_(paths)))
                # Bulk INSERTs (executemany): no ORM object per row.
                s.execute(
                    insert(DocumentRecord),
                    [
                        dict(
                            path=doc.path,
                            title=doc.title,
                            url=doc.url,
                            language=doc.language,
                            kind=doc.kind,
                            meta=doc.meta(),
                            content_hash=doc.content_hash,
                            origin=doc.origin,
                            n_chunks=len(chunks),
                        )
                        for doc, chunks in items
                    ],
                )
                s.execute(
                    insert(ChunkRecord),
                    [
                        dict(
                            id=c.id, doc_path=c.doc_path, position=c.position, heading=c.heading, text=c.text
                        )
                        for _, chunks in items
                        for c in chunks
                    ],
                )
                self._set_meta(s, "embedding_model", self.model_spec)
            ids, texts = [], []
            for doc, chunks in items:
                for c in chunks:
                    ids.append(c.id)
                    texts.append(passage_header(doc, c.heading) + "\n" + c.text)
            self.dense.delete_ids(old_ids)
            self.dense.add(ids, texts)
            self._dense_done()
            for p in paths:
                self._doc_cache.pop(p, None)
        if refresh:
            self.refresh_lexical()

    def remove(self, paths: list[str], refresh: bool = True) -> int:
        """Remove documents; returns how many existed."""
        with self._lock, self.sessions.begin() as s:
            n = (
                s.scalar(
                    select(func.count()).select_from(DocumentRecord).where(DocumentRecord.path.in_(paths))
                )
                or 0
            )
            if n:
                self._mark_pending(s, paths)
            old_ids = self._chunk_ids(s, paths)
            s.execute(delete(ChunkRecord).where(ChunkRecord.doc_path.in_(paths)))
            s.execute(delete(DocumentRecord).where(DocumentRecord.path.in_(paths)))
        self.dense.delete_ids(old_ids)
        if n:
            self._dense_done()
        for p in paths:
            self._doc_cache.pop(p, None)
        if refresh and n:
            self.refresh_lexical()
        return int(n)

    @staticmethod
    def _chunk_ids(s: Session, paths: list[str]) -> list[str]:
        """The stored chunk ids of these documents (their vectors carry the same ids)."""
        return list(s.scalars(select(ChunkRecord.id).where(ChunkRecord.doc_path.in_(paths))))

    def _mark_pending(self, s: Session, paths: list[str]) -> None:
        """In a writing transaction: Chroma may lag behind SQL for these documents (their chunk ids
        stay the same when they change, so ids alone cannot tell), and no BM25 snapshot is current."""
        self._set_meta(s, "dense_pending", json.dumps(paths, ensure_ascii=False))
        # One marker per run of writes in this process (readers rebuild once, not per batch), and
        # never one that a snapshot already carries.
        if self._pending_version is None:
            self._pending_version = f"pending-{uuid.uuid4().hex}"
        self._set_meta(s, "lexical_version", self._pending_version)

    def _dense_done(self) -> None:
        with self.sessions.begin() as s:
            self._set_meta(s, "dense_pending", "")

    def repair(self) -> dict[str, int]:
        """After an interrupted write: make Chroma hold exactly SQL's chunks (re-embedding the
        missing ones from the stored text, deleting the extra ones). Nothing to do, and one read,
        when the last write finished; the BM25 snapshot is rebuilt by ensure_fresh()."""
        try:
            self.dense.count()
        except Exception as exc:  # noqa: BLE001 - chromadb's local files broken by a kill mid-write
            log.warning("the vector index cannot be read (%s); rebuilding it from the database", exc)
            return {"added": self.rebuild_dense(), "deleted": -1}
        pending = self._meta("dense_pending") or ""
        if not pending:
            return {"added": 0, "deleted": 0}
        try:
            touched = [str(p) for p in json.loads(pending)]
        except (ValueError, TypeError):
            touched = []
        with self._lock:
            with self.sessions() as s:
                docs = {r.path: self._info(r) for r in s.scalars(select(DocumentRecord))}
                rows = {r.id: r for r in s.scalars(select(ChunkRecord))}
            stored = set(self.dense.ids())
            # The touched documents' vectors may be of their old text: embed them again.
            touched_set = set(touched)
            stale = {i for i in stored if i.rsplit("::", 1)[0] in touched_set}
            extra = sorted(stored - set(rows))
            missing = [rows[i] for i in sorted(set(rows) - (stored - stale))]
            self.dense.delete_ids(sorted(stale | set(extra)))
            self.dense.add(
                [r.id for r in missing],
                [passage_header(docs[r.doc_path], r.heading) + "\n" + r.text for r in missing],
            )
            self._dense_done()
            log.warning(
                "repaired an interrupted write: %d vectors added, %d deleted", len(missing), len(extra)
            )
            return {"added": len(missing), "deleted": len(extra)}

    def write_pending(self) -> bool:
        """An earlier write did not finish publishing the BM25 index (it was interrupted)."""
        return (self._meta("lexical_version") or "").startswith("pending-")

    def refresh_lexical(self) -> None:
        """Rebuild the BM25 index from the database and publish a new version."""
        with self._lock:
            self._pending_version = None
            version = uuid.uuid4().hex
            self._build_lexical(version)
            with self.sessions.begin() as s:
                self._set_meta(s, "lexical_version", version)
            self.lexical.save(self._lexical_dir)

    def _build_lexical(self, version: str) -> None:
        ids: list[str] = []
        tokens: list[list[str]] = []
        # After one new entry (a tip, an expert's answer) only what changed is tokenised again.
        with self.sessions() as s:
            records = list(s.scalars(select(DocumentRecord)))
            docs = {r.path: self._info(r) for r in records}
            prints = {r.path: r.fingerprint() for r in records}
            rows = s.execute(
                select(ChunkRecord.id, ChunkRecord.doc_path, ChunkRecord.heading, ChunkRecord.text).order_by(
                    ChunkRecord.doc_path, ChunkRecord.position
                )
            )
            for cid, path, heading, text in rows:
                key = f"{prints[path]}\x00{heading}"
                ids.append(cid)
                tokens.append(self._token_cache.tokens(cid, key, partial(_index, docs[path], heading, text)))
        self.lexical.build(ids, tokens, version)
        self._token_cache.keep()
        self._doc_cache = dict(docs)
        self._docs_loaded = True

    def ensure_fresh(self, max_age: float = 5.0) -> None:
        """Load or rebuild the BM25 index when another process has changed it."""
        now = time.monotonic()
        if now - self._checked_at < max_age and self.lexical.version:
            return
        self._checked_at = now
        version = self._meta("lexical_version") or ""
        if version == self.lexical.version and (version or self.lexical.size == 0):
            return
        self.dense.forget_count()  # another process wrote: the vector count may have changed too
        with self._lock:
            if self.lexical.load(self._lexical_dir) and self.lexical.version == version:
                self._doc_cache.clear()
                self._docs_loaded = False
                return
            log.info("lexical index snapshot is stale; rebuilding from the database")
            self._build_lexical(version or uuid.uuid4().hex)
            # A pending version belongs to a write that is running or was killed: never give it a
            # snapshot (more rows may follow under the same marker); the next ingest publishes one.
            if version and not version.startswith("pending-"):
                self.lexical.save(self._lexical_dir)

    def rebuild_dense(self) -> int:
        """Re-embed every stored chunk with the configured model (after a model change)."""
        with self._lock:
            self.dense.reset()
            n = 0
            with self.sessions() as s:
                docs = {r.path: self._info(r) for r in s.scalars(select(DocumentRecord))}
                rows = s.scalars(select(ChunkRecord).order_by(ChunkRecord.doc_path)).all()
            ids, texts = [], []
            for r in rows:
                d = docs[r.doc_path]
                ids.append(r.id)
                texts.append(passage_header(d, r.heading) + "\n" + r.text)
                n += 1
            self.dense.add(ids, texts)
            with self.sessions.begin() as s:
                self._set_meta(s, "embedding_model", self.model_spec)
                self._set_meta(s, "dense_pending", "")
            return n
