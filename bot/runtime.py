"""Wires settings into a ready knowledge base and assistant (shared by CLI, console and bench)."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import sessionmaker

from bot.assistant import Assistant
from bot.config import Settings
from bot.db import make_engine, migrate, session_factory, utcnow
from bot.questions import QuestionStore
from bot.service import Service
from ingest.chunking import Chunker
from ingest.pipeline import IngestReport, ingest_paths
from knowledge_base.answerer import Answerer
from knowledge_base.dense import DenseIndex, make_client
from knowledge_base.embeddings import load_embeddings
from knowledge_base.retrieval import Retriever
from knowledge_base.store import KnowledgeBase
from knowledge_base.store import check_model as check_stored_model

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "knowledge_base" / "sample"
log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Everything a process needs to answer questions and ingest documents."""

    settings: Settings
    kb: KnowledgeBase
    assistant: Assistant
    chunker: Chunker
    sessions: sessionmaker

    def service(self, clock: Callable[[], datetime] = utcnow) -> Service:
        """The conversation service over this knowledge base and database."""
        return Service(self.assistant, QuestionStore(self.sessions, clock))

    def ingest(self, paths: list[Path], prune: bool = False, progress=None) -> IngestReport:  # type: ignore[no-untyped-def]
        """Ingest files/folders with the configured chunker and limits."""
        return ingest_paths(
            self.kb, paths, self.chunker, prune=prune,
            max_bytes=int(self.settings.max_file_mb * 1e6), progress=progress,
        )

    def ensure_sample(self) -> IngestReport | None:
        """On an empty knowledge base, ingest the bundled sample (when enabled)."""
        if not self.settings.sample_kb or self.kb.hashes() or not SAMPLE_DIR.is_dir():
            return None
        return self.ingest([SAMPLE_DIR])


def build_runtime(settings: Settings, check_model: bool = True) -> Runtime:
    """Open (and migrate) the database and indexes described by the settings."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.sqlalchemy_url)
    migrate(engine)
    sessions = session_factory(engine)
    if check_model:  # before loading a model that may not even be installed
        check_stored_model(sessions, settings.embedding_model)
    embeddings = load_embeddings(settings.embedding_model)
    client = make_client(settings.chroma_host, settings.chroma_port, settings.chroma_dir)
    dense = DenseIndex(client, settings.chroma_collection, embeddings)
    kb = KnowledgeBase(sessions, dense, settings.lexical_dir, settings.embedding_model)
    kb.ensure_fresh(max_age=0)
    assistant = Assistant(
        Retriever(kb),
        Answerer(min_coverage=settings.route_threshold, max_quotes=settings.answer_sources),
        settings.max_question_chars,
    )
    # Move everything loaded so far out of the collector's way: a full collection over the
    # index structures otherwise pauses a question for >100 ms every few hundred questions.
    gc.collect()
    gc.freeze()
    return Runtime(
        settings, kb, assistant, Chunker(settings.chunk_size, settings.chunk_overlap), sessions
    )
