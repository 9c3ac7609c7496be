"""Questions and expert profiles in one embedding space; a profile is embedded once per text."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np

Encode = Callable[[list[str]], "np.ndarray | Sequence[Sequence[float]]"]

_WARM_BATCH = 32
_MAX_CACHED = 20000  # texts: ~7 per profile (the whole, its sentences, its themes)
# Characters of a text given to an encoder. e5-small reads 512 tokens at a time and embeds a
# longer text window by window: a 4,000-character question took seconds, three times over (the
# question, its request, its themes). About one window of Dutch or English text (~3.8
# characters a token); what a question or profile says first is what routes it.
MAX_ENCODED_CHARS = 1800


def _normalised(rows: np.ndarray | Sequence[Sequence[float]]) -> np.ndarray:
    arr = np.asarray(rows, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    return np.divide(arr, norms, out=np.zeros_like(arr), where=norms > 0)


def _cut(texts: list[str]) -> list[str]:
    """The texts as an encoder is given them: at most MAX_ENCODED_CHARS each."""
    return [t[:MAX_ENCODED_CHARS] for t in texts]


class ProfileSpace:
    """Cosine similarity of a question to profiles; `query` and `passage` may be the same encoder."""

    def __init__(self, name: str, query: Encode, passage: Encode | None = None) -> None:
        self.name = name
        self._query = query
        self._passage = passage or query
        self._cache: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def _profile_vectors(self, profiles: list[str]) -> dict[str, np.ndarray]:
        with self._lock:
            known = {t: self._cache[t] for t in profiles if t in self._cache}
        missing = [t for t in dict.fromkeys(profiles) if t not in known]
        if missing:
            vectors = dict(zip(missing, _normalised(self._passage(_cut(missing))), strict=True))
            known.update(vectors)
            with self._lock:
                if len(self._cache) + len(vectors) > _MAX_CACHED:
                    self._cache.clear()  # many profile changes in one process: start again
                self._cache.update(vectors)
        return known

    def warm(self, profiles: list[str]) -> None:
        """Embed the profiles not seen yet (at start-up, at import, on an /expertise change), a few
        at a time: the encoder is shared, and a question asked meanwhile waits for one batch only,
        not for all the passages of 200 profiles (~1,400 texts, most of a minute on 2 cores)."""
        for k in range(0, len(profiles), _WARM_BATCH):
            self._profile_vectors(profiles[k : k + _WARM_BATCH])

    def encode(self, questions: list[str]) -> np.ndarray:
        """Normalised question vectors."""
        return _normalised(self._query(_cut(questions)))

    def best_passage(self, vectors: np.ndarray, groups: list[list[str]]) -> np.ndarray:
        """A (questions x groups) matrix: each group's (a profile's passages) best cosine similarity
        to the question vectors (from `encode`)."""
        flat = [t for g in groups for t in g]
        out = np.zeros((len(vectors), len(groups)), dtype=np.float32)
        if not flat or not len(vectors):
            return out
        sims = self.against(vectors, flat)
        start = 0
        for j, g in enumerate(groups):
            if g:
                out[:, j] = sims[:, start : start + len(g)].max(axis=1)
            start += len(g)
        return out

    def against(self, vectors: np.ndarray, profiles: list[str]) -> np.ndarray:
        """A (questions x profiles) matrix of cosine similarities to question vectors (from `encode`):
        a question is encoded once, however many profile texts it is compared with."""
        if not profiles or not len(vectors):
            return np.zeros((len(vectors), len(profiles)), dtype=np.float32)
        known = self._profile_vectors(profiles)
        return vectors @ np.stack([known[t] for t in profiles]).T

    def similarities(self, questions: list[str], profiles: list[str]) -> np.ndarray:
        """A (questions x profiles) matrix of cosine similarities."""
        if not profiles or not questions:
            return np.zeros((len(questions), len(profiles)), dtype=np.float32)
        return self.against(self.encode(questions), profiles)
