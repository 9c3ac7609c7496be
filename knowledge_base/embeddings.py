"""Pluggable embedding models behind langchain's `Embeddings` interface."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings


class EmbeddingConfigError(RuntimeError):
    """The configured embedding model cannot be loaded."""


class WordLlamaEmbeddings(Embeddings):
    """The small offline model bundled inside the wordllama wheel (no download)."""

    def __init__(self, config: str = "l2_supercat", dim: int = 256) -> None:
        import wordllama
        from wordllama import WordLlama

        self._model = WordLlama.load(
            config=config,
            dim=dim,
            cache_dir=Path(wordllama.__file__).parent,
            disable_download=True,
        )
        self._lock = threading.Lock()

    def embed_array(self, texts: list[str]) -> np.ndarray:
        """Normalised embeddings as a float32 matrix."""
        if not texts:
            return np.zeros((0, 256), dtype=np.float32)
        with self._lock:
            arr = self._model.embed(texts, norm=True, return_np=True)
        return np.asarray(arr, dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages."""
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Embed a question."""
        return self.embed_array([text])[0].tolist()


def load_embeddings(spec: str) -> Embeddings:
    """Build the embedding model named by a `provider:model` setting."""
    provider, _, name = spec.partition(":")
    provider = provider.strip().lower()
    try:
        if provider == "wordllama":
            base, _, dim = (name or "l2_supercat_256").rpartition("_")
            return WordLlamaEmbeddings(config=base or "l2_supercat", dim=int(dim or 256))
        if provider == "openai":
            from langchain_openai import OpenAIEmbeddings  # type: ignore[import-not-found]

            return OpenAIEmbeddings(model=name or "text-embedding-3-small")
        if provider == "mistral":
            from langchain_mistralai import MistralAIEmbeddings  # type: ignore[import-not-found]

            return MistralAIEmbeddings(model=name or "mistral-embed")
        if provider == "ollama":
            from langchain_ollama import OllamaEmbeddings  # type: ignore[import-not-found]

            return OllamaEmbeddings(model=name or "nomic-embed-text")
        if provider in ("huggingface", "hf"):
            from langchain_huggingface import (  # type: ignore[import-not-found]
                HuggingFaceEmbeddings,
            )

            return HuggingFaceEmbeddings(model_name=name)
    except ImportError as exc:
        raise EmbeddingConfigError(
            f"VERBINDER_EMBEDDING_MODEL={spec} needs an extra package: {exc.name} "
            f"(pip install {exc.name.replace('_', '-') if exc.name else 'it'})"
        ) from exc
    except (ValueError, FileNotFoundError, OSError) as exc:
        raise EmbeddingConfigError(f"cannot load embedding model '{spec}': {exc}") from exc
    raise EmbeddingConfigError(
        f"unknown embedding provider '{provider}' in VERBINDER_EMBEDDING_MODEL={spec} "
        "(use wordllama, openai, mistral, ollama or huggingface)"
    )
