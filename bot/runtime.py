"""Wires settings into a ready knowledge base and assistant (shared by CLI, console and bench)."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import sessionmaker

from bot.assistant import Assistant
from bot.config import Settings
from bot.db import open_database, utcnow
from bot.expert_desk import ExpertDesk
from bot.experts import ExpertStore
from bot.llm import load_composer
from bot.matching import ExpertMatcher
from bot.outbox import Outbox
from bot.questions import QuestionStore
from bot.records import QuestionRecord
from bot.router import Router
from bot.routing import Timers
from bot.service import Service
from bot.timers import tick
from ingest.chunking import Chunker
from ingest.loaders import file_hash
from ingest.models import Document
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
        """The conversation service alone (questions, feedback; no expert workflow)."""
        return Service(self.assistant, QuestionStore(self.sessions, clock))

    def bot(self, clock: Callable[[], datetime] = utcnow) -> BotCore:
        """The full core: conversation service with expert routing, outbox and timers plugged in."""
        s = self.settings
        service = self.service(clock)
        outbox = Outbox(self.sessions, clock)
        experts = ExpertStore(self.sessions, clock)
        timers = Timers(
            remind=timedelta(hours=s.remind_after_hours),
            widen=timedelta(hours=s.widen_after_hours),
            claim_remind=timedelta(hours=s.claim_remind_after_hours),
            give_up=timedelta(hours=s.give_up_after_hours),
        )
        router = Router(
            self.sessions,
            experts,
            ExpertMatcher(self.kb.dense.embeddings.embed_documents),
            outbox,
            timers=timers,
            n_experts=s.route_experts,
            moderators=s.moderator_ids,
            kb_approval=s.kb_approval,
            channels={"slack": s.experts_channel_slack, "telegram": s.experts_channel_telegram},
            publisher=self.publish_qa,
            clock=clock,
        )
        ExpertDesk(service, router)
        return BotCore(service, router, outbox, experts)

    def publish_qa(self, q: QuestionRecord, answer: str, expert: str) -> str:
        """Add an expert's answer to the knowledge base as a Q&A entry; returns its path."""
        path = f"qa/vraag-{q.id}.md"
        when = q.updated_at.strftime("%Y-%m-%d")
        label = ("Question", "Answer", "expert") if q.language == "en" else ("Vraag", "Antwoord", "expert")
        text = f"{label[0]}: {q.text}\n\n{label[1]}: {answer}\n\n— {expert} ({label[2]}), {when}"
        doc = Document(
            path=path,
            title=q.text[:300],
            text=text,
            language=q.language,
            kind="qa",
            date=when,
            content_hash=file_hash(text.encode()),
            origin="expert",
            organisations=(expert,),
        )
        self.kb.upsert([(doc, self.chunker.split(doc))])
        return path

    def ingest(self, paths: list[Path], prune: bool = False, progress=None) -> IngestReport:  # type: ignore[no-untyped-def]
        """Ingest files/folders with the configured chunker and limits."""
        return ingest_paths(
            self.kb,
            paths,
            self.chunker,
            prune=prune,
            max_bytes=int(self.settings.max_file_mb * 1e6),
            progress=progress,
        )

    def ensure_sample(self) -> IngestReport | None:
        """On an empty knowledge base, ingest the bundled sample (when enabled)."""
        if not self.settings.sample_kb or self.kb.hashes() or not SAMPLE_DIR.is_dir():
            return None
        return self.ingest([SAMPLE_DIR])


@dataclass
class BotCore:
    """The platform-neutral bot: what `verbinder run` hands to the adapters."""

    service: Service
    router: Router
    outbox: Outbox
    experts: ExpertStore

    def tick(self) -> dict[str, int]:
        """Run due reminders/escalations."""
        return tick(self.router)


def build_runtime(settings: Settings, check_model: bool = True) -> Runtime:
    """Open (and migrate) the database and indexes described by the settings."""
    composer = load_composer(settings)  # first: a missing LLM package fails in a second
    sessions = open_database(settings)
    if check_model:  # before loading a model that may not even be installed
        check_stored_model(sessions, settings.embedding_model)
    embeddings = load_embeddings(settings.embedding_model)
    client = make_client(settings.chroma_host, settings.chroma_port, settings.chroma_dir)
    dense = DenseIndex(client, settings.chroma_collection, embeddings)
    kb = KnowledgeBase(sessions, dense, settings.lexical_dir, settings.embedding_model)
    kb.ensure_fresh(max_age=0)
    assistant = Assistant(
        Retriever(kb),
        Answerer(
            min_coverage=settings.route_threshold,
            max_quotes=settings.answer_sources,
            semantic_threshold=settings.semantic_threshold,
        ),
        settings.max_question_chars,
        composer,
    )
    # Move everything loaded so far out of the collector's way: a full collection over the
    # index structures otherwise pauses a question for >100 ms every few hundred questions.
    gc.collect()
    gc.freeze()
    return Runtime(settings, kb, assistant, Chunker(settings.chunk_size, settings.chunk_overlap), sessions)
