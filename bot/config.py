"""Settings, read from the environment and `.env` (see `.env.example`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_EMBEDDING = "wordllama:l2_supercat_256"


class Settings(BaseSettings):
    """All Verbinder settings; every field maps to one environment variable."""

    model_config = SettingsConfigDict(
        env_prefix="VERBINDER_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
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
    route_threshold: float = Field(default=0.45, ge=0.0, le=1.0)
    sample_kb: bool = Field(default=True, description="Ingest the bundled sample on first run.")
    log_level: str = "WARNING"

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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings (cached)."""
    return Settings()
