"""Building the runtime for a CLI command, with configuration problems as one clear line."""

from __future__ import annotations

import logging

import typer

from adapters.terminal import error, styled, terminal
from app import redaction
from app.runtime import Runtime, build_runtime
from app.setup_errors import configuration_errors, settings_or_exit
from bot.answering.llm import LLMConfigError
from knowledge_base.embeddings import EmbeddingConfigError
from knowledge_base.store import IndexMismatchError

err = terminal(stderr=True)


def runtime_or_exit(check_model: bool = True, sample: bool = False) -> Runtime:
    """Build the runtime, turning configuration problems into one clear line."""
    settings = settings_or_exit()
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    redaction.install(settings)
    try:
        with configuration_errors(settings):
            rt = build_runtime(settings, check_model=check_model)
    except (IndexMismatchError, EmbeddingConfigError, LLMConfigError) as exc:
        error(err, str(exc))
        raise typer.Exit(2) from None
    if sample:
        with configuration_errors(settings):
            report = rt.ensure_sample()
        if report is not None:
            err.print(styled((f"Sample knowledge base ingested: {len(report.added)} documents.", "dim")))
    return rt
