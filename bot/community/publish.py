"""Approved tips and projects become knowledge-base entries, answerable in the next question."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.community.forms import themes_of
from bot.community.model import Submission
from bot.texts import t
from ingest.loaders import file_hash
from knowledge_base.models import Document
from knowledge_base.text import detect_language

if TYPE_CHECKING:
    from ingest.chunking import Chunker
    from knowledge_base.store import KnowledgeBase

ENTRY_DIR = "community"


def entry_path(sub: Submission) -> str:
    """Where a submission's entry lives in the knowledge base."""
    return f"{ENTRY_DIR}/{sub.kind}-{sub.id}.md"


def entry_document(sub: Submission) -> Document:
    """The knowledge-base document of an approved tip or project (with its author's credit)."""
    f = {k: str(v or "") for k, v in sub.fields.items()}
    lang = detect_language(f"{f.get('title', '')}. {f.get('text', '')}", default=sub.language)
    day = (sub.decided_at or sub.created_at).strftime("%Y-%m-%d")
    lines = [f"# {f.get('title', '')}", "", f.get("text", "").strip(), ""]
    themes = themes_of(f)
    if themes:
        lines.append(t("entry_themes", lang, themes=", ".join(themes)))
    if f.get("region"):
        lines.append(t("entry_region", lang, region=f["region"]))
    organisations = tuple(
        o.strip() for o in f.get("organisations", "").replace(";", ",").split(",") if o.strip()
    )
    if organisations:
        lines.append(t("entry_organisations", lang, organisations=", ".join(organisations)))
    if f.get("link"):
        lines.append(t("entry_link", lang, link=f["link"]))
    # A member without a display name is credited as "a member", never by their platform id.
    named = sub.author_name and sub.author_name != f"{sub.platform}:{sub.user_id}"
    author = sub.author_name if named else t("a_member", lang)
    lines.append(t(f"entry_credit_{sub.kind}", lang, author=author, date=day))
    text = "\n".join(lines).strip() + "\n"
    return Document(
        path=entry_path(sub),
        title=f.get("title", "")[:300],
        text=text,
        language=lang,
        kind=sub.kind,
        url=f.get("link") or None,
        tags=themes,
        region=f.get("region") or None,
        organisations=organisations,
        date=day,
        content_hash=file_hash(text.encode()),
        origin="member",
    )


class EntryPublisher:
    """Writes approved tips and projects into the knowledge base (one path per submission)."""

    def __init__(self, kb: KnowledgeBase, chunker: Chunker) -> None:
        self.kb = kb
        self.chunker = chunker

    def __call__(self, sub: Submission) -> str:
        doc = entry_document(sub)
        self.kb.upsert([(doc, self.chunker.split(doc))])
        return doc.path
