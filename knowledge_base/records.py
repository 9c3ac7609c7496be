"""ORM tables of the knowledge base: documents, their chunks and index metadata."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base


class DocumentRecord(Base):
    """One ingested document, identified by its path relative to the ingest root."""

    __tablename__ = "kb_documents"

    path: Mapped[str] = mapped_column(String(512), primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    language: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(16))
    meta: Mapped[dict] = mapped_column(JSON, default=dict)
    content_hash: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(16), default="file")
    n_chunks: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    def fingerprint(self) -> str:
        """What the index tokens of its chunks depend on besides each chunk's heading and text."""
        meta = json.dumps(self.meta or {}, sort_keys=True, ensure_ascii=False)
        return f"{self.content_hash}|{self.title}|{self.language}|{self.kind}|{self.url}|{meta}"


class ChunkRecord(Base):
    """One retrievable passage of a document."""

    __tablename__ = "kb_chunks"

    id: Mapped[str] = mapped_column(String(600), primary_key=True)
    doc_path: Mapped[str] = mapped_column(ForeignKey("kb_documents.path", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    heading: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text)


class MetaRecord(Base):
    """Key/value facts about the index (embedding model, lexical version)."""

    __tablename__ = "kb_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
