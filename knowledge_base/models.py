"""The knowledge base's data model: documents and the chunks they are split into."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

KINDS = ("document", "tip", "project", "qa")
LANGUAGES = ("nl", "en")


@dataclass(frozen=True)
class Document:
    """A loaded document: body text plus the metadata every chunk will carry."""

    path: str
    title: str
    text: str
    language: str
    kind: str = "document"
    url: str | None = None
    tags: tuple[str, ...] = ()
    region: str | None = None
    organisations: tuple[str, ...] = ()
    date: str | None = None
    content_hash: str = ""
    origin: str = "file"
    source_root: str = ""

    def meta(self) -> dict[str, Any]:
        """Metadata as a JSON-friendly dict (for the database record)."""
        return {
            "tags": list(self.tags),
            "region": self.region,
            "organisations": list(self.organisations),
            "date": self.date,
            "root": self.source_root,
        }


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage; `heading` is the heading path it sits under."""

    doc_path: str
    position: int
    text: str
    heading: str = ""

    @property
    def id(self) -> str:
        """Stable id: document path plus position."""
        return f"{self.doc_path}::{self.position}"
