"""Plain data passed from loaders to the knowledge base."""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("document", "tip", "project", "qa")
LANGUAGES = ("nl", "en")


class IngestError(Exception):
    """A file that cannot be ingested; the message is the reason shown to the user."""


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

    def meta(self) -> dict[str, object]:
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
    extras: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def id(self) -> str:
        """Stable id: document path plus position."""
        return f"{self.doc_path}::{self.position}"
