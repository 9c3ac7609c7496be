"""Wires the settings into a ready knowledge base, assistant and bot core (CLI, console, bench, tests)."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.announcements.feature import AnnouncementsFeature
from bot.announcements.model import Target, parse_channels
from bot.announcements.store import AnnouncementsPolicy
from bot.answering.assistant import Assistant
from bot.answering.llm import load_composer
from bot.commands import CommandSpec
from bot.community.duplicates import NearDuplicates
from bot.community.feature import CommunityFeature
from bot.community.publish import EntryPublisher
from bot.community.queue import QueuePolicy
from bot.config import Settings
from bot.conversations.store import QuestionStore
from bot.delivery.outbox import Outbox
from bot.delivery.scheduler import Scheduler
from bot.experts.directory import ExpertDirectory
from bot.experts.feature import ExpertsFeature
from bot.experts.learning import QAPublisher
from bot.experts.matching import ExpertMatcher, default_bridge, default_spaces
from bot.experts.router import Router, RoutingPolicy, Timers
from bot.highlights.feature import HighlightsFeature, editions
from bot.highlights.posting import HighlightsPolicy
from bot.insight.feature import InsightFeature, InsightPolicy
from bot.insight.gaps import Embed
from bot.insight.report import Reports
from bot.people.store import People, parse_accounts
from bot.privacy.erase import Eraser
from bot.privacy.feature import PrivacyFeature
from bot.privacy.kbscrub import KBScrubber
from bot.privacy.pseudonyms import Pseudonyms
from bot.privacy.retention import Retention, RetentionPolicy
from bot.service import COMMANDS, Service
from ingest.chunking import Chunker
from ingest.pipeline import IngestReport, Progress, ingest_paths
from knowledge_base.answerer import Answerer
from knowledge_base.dense import DenseIndex, make_client
from knowledge_base.dense_check import check_local_index, lock_path
from knowledge_base.embeddings import WordLlamaEmbeddings, load_embeddings
from knowledge_base.retrieval import Retriever
from knowledge_base.store import KnowledgeBase
from knowledge_base.store import check_model as check_stored_model
from storage.db import open_database, utcnow

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "knowledge_base" / "sample"
log = logging.getLogger(__name__)

# Every command of the assembled bot, for what is built without a running bot (the Slack manifest).
ALL_COMMANDS: tuple[CommandSpec, ...] = (
    *COMMANDS,
    *ExpertsFeature.commands,
    *CommunityFeature.commands,
    *HighlightsFeature.commands,
    *AnnouncementsFeature.commands,
    *InsightFeature.commands,
    *PrivacyFeature.commands,
)


@dataclass
class BotCore:
    """The platform-free bot with its features: what `verbinder run` hands to the adapters."""

    service: Service
    outbox: Outbox
    scheduler: Scheduler
    expert_feature: ExpertsFeature
    community: CommunityFeature
    people: People
    highlights: HighlightsFeature
    announcements: AnnouncementsFeature
    insight: InsightFeature
    privacy: PrivacyFeature | None = None

    @property
    def experts(self) -> ExpertDirectory:
        """The expert directory."""
        return self.expert_feature.directory

    @property
    def router(self) -> Router:
        """The router of expert questions."""
        return self.expert_feature.router

    def warm(self) -> None:
        """Embed the expert profiles before the first question needs them."""
        self.router.matcher.warm(self.experts.all())

    def tick(self) -> dict[str, int]:
        """Run due reminders/escalations now (what the scheduled job `experts.timers` does)."""
        return self.expert_feature.timers.tick()

    def calendar(self) -> bytes:
        """The upcoming events as an iCalendar feed (`/events.ics`)."""
        return self.community.events.ics()

    def housekeeping(self) -> dict[str, int]:
        """Run the contributions' job now: expired forms, stale submissions, unpublished approvals."""
        return self.community.housekeeping()


def routing_policy(s: Settings) -> RoutingPolicy:
    """The expert routing settings."""
    timers = Timers(
        remind=timedelta(hours=s.remind_after_hours),
        widen=timedelta(hours=s.widen_after_hours),
        claim_remind=timedelta(hours=s.claim_remind_after_hours),
        give_up=timedelta(hours=s.give_up_after_hours),
    )
    channels = {"slack": s.experts_channel_slack, "telegram": s.experts_channel_telegram}
    return RoutingPolicy(timers, s.route_experts, channels, s.moderator_ids, s.kb_approval)


def highlights_policy(s: Settings) -> HighlightsPolicy:
    """The weekly highlights settings."""
    hour, minute = (int(x) for x in s.highlights_time.split(":"))
    return HighlightsPolicy(
        weekday=s.highlights_day,
        at=time(hour, minute),
        tz=s.highlights_timezone,
        preview_hours=s.highlights_preview_hours,
        channels=s.highlight_targets,
        unattended=s.highlights_unattended,
        when_empty=s.highlights_when_empty,
        pin=s.highlights_pin,
    )


def insight_policy(s: Settings) -> InsightPolicy:
    """The weekly report's settings (its time is read in the highlights' time zone)."""
    hour, minute = (int(x) for x in s.report_time.split(":"))
    channels = tuple((p, c) for p, c in sorted(parse_accounts(s.report_channels)))
    return InsightPolicy(
        s.report_weekly, s.report_day, time(hour, minute), s.highlights_timezone, s.report_weeks, channels
    )


def announcement_targets(s: Settings) -> tuple[Target, ...]:
    """The default announcement channels of both platforms."""
    return (
        *parse_channels("slack", s.announcement_channels_slack),
        *parse_channels("telegram", s.announcement_channels_telegram),
    )


def announcements_policy(s: Settings) -> AnnouncementsPolicy:
    """The announcement settings (times are read in the highlights' time zone)."""
    return AnnouncementsPolicy(targets=announcement_targets(s), tz=s.highlights_timezone)


def retention_policy(s: Settings) -> RetentionPolicy:
    """How long questions, answers and logs are kept."""
    return RetentionPolicy(s.retention_questions_days, s.retention_answers_days, s.retention_logs_days)


def privacy_feature(
    rt: Runtime, people: People, outbox: Outbox, scheduler: Scheduler, clock: Callable[[], datetime]
) -> PrivacyFeature:
    """The data export, forget-me and retention, with the settings' grace period and terms."""
    s = rt.settings
    eraser = Eraser(rt.sessions, KBScrubber(rt.kb, rt.chunker), clock, files=s.data_dir / "files")
    retention = Retention(rt.sessions, retention_policy(s), clock)
    grace = timedelta(hours=s.forget_grace_hours)
    return PrivacyFeature(rt.sessions, people, outbox, scheduler, eraser, retention, grace, clock)


@dataclass
class Runtime:
    """Everything a process needs to answer questions and ingest documents."""

    settings: Settings
    kb: KnowledgeBase
    assistant: Assistant
    chunker: Chunker
    sessions: sessionmaker[Session]

    def matcher(self) -> ExpertMatcher:
        """The expert matcher: with the bundled e5 profile space unless VERBINDER_EXPERT_SEMANTIC=false."""
        spaces = default_spaces() if self.settings.expert_semantic else {}
        return ExpertMatcher(spaces, bridge=default_bridge(spaces))

    def people(self, clock: Callable[[], datetime] = utcnow) -> People:
        """People, accounts and roles (admins and moderators from the settings)."""
        s = self.settings
        return People(self.sessions, s.admin_ids, s.moderator_ids, clock)

    def service(self, clock: Callable[[], datetime] = utcnow) -> Service:
        """The conversation service alone (questions, feedback; no expert workflow)."""
        return Service(self.assistant, QuestionStore(self.sessions, clock))

    def bot(self, clock: Callable[[], datetime] = utcnow) -> BotCore:
        """The full core: the service with its features, the outbox and the scheduler."""
        outbox = Outbox(self.sessions, clock)
        scheduler = Scheduler(self.sessions, clock)
        service = Service(
            self.assistant, QuestionStore(self.sessions, clock), outbox=outbox, scheduler=scheduler
        )
        people = self.people(clock)
        experts = ExpertsFeature(
            self.sessions,
            service.store,
            self.assistant,
            outbox,
            self.matcher(),
            routing_policy(self.settings),
            publisher=QAPublisher(self.kb, self.chunker),
            timer_interval=timedelta(seconds=self.settings.timer_interval_seconds),
            clock=clock,
            people=people,
        )
        service.register(experts)
        s = self.settings
        community = CommunityFeature(
            self.sessions,
            people,
            outbox,
            publish_entry=EntryPublisher(self.kb, self.chunker),
            duplicates=NearDuplicates(self.assistant.retriever),
            is_expert=lambda platform, uid: experts.directory.by_identity(platform, uid) is not None,
            policy=QueuePolicy(s.max_waiting_submissions, timedelta(hours=s.stale_submission_hours)),
            draft_ttl=timedelta(minutes=s.form_timeout_minutes),
            interval=timedelta(seconds=max(60.0, s.timer_interval_seconds)),
            clock=clock,
        )
        service.register(community)
        highlights = HighlightsFeature(
            self.sessions,
            people,
            outbox,
            editions(self.sessions, s.highlights_timezone, "nl", clock),
            highlights_policy(s),
            clock,
        )
        service.register(highlights)
        announcements = AnnouncementsFeature(
            self.sessions,
            people,
            outbox,
            scheduler,
            announcements_policy(s),
            clock,
            interval=timedelta(seconds=max(30.0, s.timer_interval_seconds)),
        )
        service.register(announcements)
        reports = Reports(
            self.sessions,
            s.highlights_timezone,
            embed=self.sentence_embed(),
            pseudonyms=Pseudonyms(self.sessions, s.pseudonym_key.get_secret_value()),
            clock=clock,
        )
        insight = InsightFeature(
            reports,
            people,
            outbox,
            insight_policy(s),
            service.store,
            experts.route,
            service.commands.get,
            clock,
        )
        service.register(insight)
        privacy = privacy_feature(self, people, outbox, scheduler, clock)
        service.register(privacy)
        community.desk.cancellers.append(privacy.cancel_for)
        return BotCore(
            service,
            outbox,
            scheduler,
            experts,
            community,
            people,
            highlights,
            announcements,
            insight,
            privacy,
        )

    def sentence_embed(self) -> Embed | None:
        """The bundled model the answerer compares sentences with (None: loaded when first needed)."""
        embed = getattr(self.assistant.answerer, "embed", None)
        return embed if callable(embed) else None

    def ingest(
        self, paths: list[Path], prune: bool = False, progress: Progress | None = None
    ) -> IngestReport:
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


def open_settings_database(settings: Settings) -> sessionmaker[Session]:
    """Create the data directory, migrate the configured database and return a session factory."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return open_database(settings.sqlalchemy_url)


def build_runtime(settings: Settings, check_model: bool = True) -> Runtime:
    """Open (and migrate) the database and indexes described by the settings."""
    composer = load_composer(settings)  # first: a missing LLM package fails in a second
    sessions = open_settings_database(settings)
    if check_model:  # before loading a model that may not even be installed
        check_stored_model(sessions, settings.embedding_model)
    embeddings = load_embeddings(settings.embedding_model)
    if not settings.chroma_host:  # a local directory a killed write may have damaged
        check_local_index(sessions, settings.chroma_dir, settings.chroma_collection)
    client = make_client(settings.chroma_host, settings.chroma_port, settings.chroma_dir)
    local = None if settings.chroma_host else lock_path(settings.chroma_dir)
    dense = DenseIndex(client, settings.chroma_collection, embeddings, lock_path=local)
    kb = KnowledgeBase(sessions, dense, settings.lexical_dir, settings.embedding_model)
    kb.repair()  # an ingest killed half-way: Chroma catches up with SQL
    kb.ensure_fresh(max_age=0)  # and the BM25 snapshot is rebuilt when it is not current
    # The answerer compares sentences with the bundled model, whatever model builds the index.
    sentences = embeddings if isinstance(embeddings, WordLlamaEmbeddings) else WordLlamaEmbeddings()
    assistant = Assistant(
        Retriever(kb),
        Answerer(
            max_quotes=settings.answer_sources,
            embed=sentences.embed_array,
            df=kb.lexical.df,
            threshold=settings.answer_threshold or None,
        ),
        settings.max_question_chars,
        composer,
    )
    # Move everything loaded so far out of the collector's way: a full collection over the
    # index structures otherwise pauses a question for >100 ms every few hundred questions.
    gc.collect()
    gc.freeze()
    return Runtime(settings, kb, assistant, Chunker(settings.chunk_size, settings.chunk_overlap), sessions)
