"""The bundled sample knowledge base loads cleanly."""

from __future__ import annotations

from collections import Counter

from app.runtime import SAMPLE_DIR
from ingest.chunking import Chunker
from ingest.loaders import load_file
from knowledge_base.models import KINDS, LANGUAGES
from knowledge_base.text import detect_language


def _docs():
    files = sorted(SAMPLE_DIR.glob("**/*.md"))
    return [load_file(f, f.relative_to(SAMPLE_DIR).as_posix()) for f in files]


def test_sample_loads_without_errors():
    docs = _docs()  # load_file raises IngestError on any bad file
    assert len(docs) >= 30
    assert len({d.path for d in docs}) == len(docs)
    for d in docs:
        assert d.kind in KINDS, d.path
        assert d.language in LANGUAGES, d.path
        assert d.title and d.text, d.path
        assert len(d.content_hash) == 64


def test_sample_kinds_follow_folders():
    folder_kind = {"tips": "tip", "projects": "project", "documents": "document"}
    for d in _docs():
        folder = d.path.split("/")[0]
        if folder in folder_kind:
            assert d.kind == folder_kind[folder], d.path


def test_sample_has_both_languages_and_every_main_kind():
    docs = _docs()
    langs = Counter(d.language for d in docs)
    kinds = Counter(d.kind for d in docs)
    assert langs["nl"] > 0 and langs["en"] > 0
    assert {"tip", "project", "document"} <= set(kinds)


def test_sample_language_field_matches_the_text():
    mismatched = [d.path for d in _docs() if detect_language(d.title + " " + d.text[:3000]) != d.language]
    assert mismatched == []


def test_sample_chunks_with_headings():
    chunker = Chunker()
    for d in _docs():
        chunks = chunker.split(d)
        assert chunks, d.path
        assert all(c.doc_path == d.path for c in chunks)
        assert any(c.heading for c in chunks), d.path
