"""Rewrites a public knowledge-base entry (a Q&A entry, a tip) without the name of a forgotten person."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import select

from ingest.loaders import file_hash
from knowledge_base.models import Document
from knowledge_base.records import ChunkRecord, DocumentRecord

if TYPE_CHECKING:
    from ingest.chunking import Chunker
    from knowledge_base.store import KnowledgeBase


class KBScrubber:
    """Re-writes an entry through the knowledge base, so SQL, Chroma and the BM25 index all change."""

    def __init__(self, kb: KnowledgeBase, chunker: Chunker) -> None:
        self.kb = kb
        self.chunker = chunker

    def rewrite(self, path: str, scrub: Callable[[str], str]) -> bool:
        """Apply `scrub` to the entry's title, text and metadata; False when it is not there."""
        with self.kb.sessions() as s:
            doc = s.get(DocumentRecord, path)
            if doc is None:
                return False
            chunks = list(
                s.scalars(
                    select(ChunkRecord).where(ChunkRecord.doc_path == path).order_by(ChunkRecord.position)
                )
            )
            meta = dict(doc.meta or {})
            title, url, language, kind, origin = doc.title, doc.url, doc.language, doc.kind, doc.origin
        text = scrub(_joined([(c.heading or "", c.text) for c in chunks]))
        new = Document(
            path=path,
            title=scrub(title),
            text=text,
            language=language,
            kind=kind,
            url=url,
            tags=tuple(meta.get("tags") or ()),
            region=meta.get("region"),
            organisations=tuple(scrub(o) for o in meta.get("organisations") or ()),
            date=meta.get("date"),
            content_hash=file_hash(text.encode()),
            origin=origin,
            source_root=str(meta.get("root") or ""),
        )
        self.kb.upsert([(new, self.chunker.split(new))])
        return True


def _joined(chunks: list[tuple[str, str]]) -> str:
    """A document's text again from its chunks, with their headings (entries are one or two chunks;
    the overlap of a longer one's chunks is repeated)."""
    out: list[str] = []
    before: list[str] = []
    for heading, text in chunks:
        path = [h for h in heading.split(" > ") if h] if heading else []
        same = 0
        while same < min(len(path), len(before)) and path[same] == before[same]:
            same += 1
        out += [f"{'#' * (level + 1)} {h}" for level, h in enumerate(path) if level >= same]
        out.append(text)
        before = path
    return "\n\n".join(out)
