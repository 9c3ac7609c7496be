"""BM25 index (bm25s) over stemmed chunk text, with a snapshot on disk."""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path

import bm25s
import numpy as np

from knowledge_base import text as T

_EMPTY_I = np.zeros(0, dtype=np.int32)
_EMPTY_F = np.zeros(0, dtype=np.float32)


# Bump when tokenisation or stemming changes: older snapshots are then rebuilt.
TOKENIZER_VERSION = "2"


def index_tokens(text: str, language: str) -> list[str]:
    """Index-side tokens: content-word stems in the passage's own language."""
    return T.stems(text, language)


class LexicalIndex:
    """A BM25 index over chunks; positions map to chunk ids."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self._bm25: bm25s.BM25 | None = None
        self._df: dict[str, int] = {}
        self.version = ""

    @property
    def size(self) -> int:
        """Number of indexed chunks."""
        return len(self.ids)

    def build(self, ids: list[str], token_lists: list[list[str]], version: str) -> None:
        """(Re)build the index from token lists."""
        self.ids = list(ids)
        self.version = version
        if not ids:
            self._bm25, self._df = None, {}
            return
        bm = bm25s.BM25(k1=1.2, b=0.75)
        bm.index([t or [""] for t in token_lists], show_progress=False)
        self._bm25 = bm
        self._df = self._doc_freqs(bm)

    @staticmethod
    def _doc_freqs(bm: bm25s.BM25) -> dict[str, int]:
        indptr = np.asarray(bm.scores["indptr"])
        counts = np.diff(indptr)
        return {tok: int(counts[i]) for tok, i in bm.vocab_dict.items() if i < len(counts)}

    def idf(self, token: str) -> float:
        """Smoothed inverse document frequency; unseen tokens get the highest value."""
        n = max(self.size, 1)
        df = self._df.get(token, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def df(self, token: str) -> int:
        """Number of chunks containing the token."""
        return self._df.get(token, 0)

    def scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every chunk for the query tokens."""
        if self._bm25 is None or not tokens:
            return np.zeros(self.size, dtype=np.float32)
        known = [t for t in dict.fromkeys(tokens) if t in self._df]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def column(self, token: str) -> tuple[np.ndarray, np.ndarray]:
        """Rows (chunk positions) and BM25 weights of one token."""
        if self._bm25 is None:
            return _EMPTY_I, _EMPTY_F
        j = self._bm25.vocab_dict.get(token)
        if j is None or token not in self._df:
            return _EMPTY_I, _EMPTY_F
        sc = self._bm25.scores
        lo, hi = int(sc["indptr"][j]), int(sc["indptr"][j + 1])
        return sc["indices"][lo:hi], sc["data"][lo:hi]

    def save(self, folder: Path) -> None:
        """Write a snapshot (atomic: a temp folder renamed into place)."""
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self._bm25 is not None:
            self._bm25.save(str(tmp / "bm25"))
        (tmp / "ids.json").write_text(
            json.dumps({"version": self.version, "tokenizer": TOKENIZER_VERSION, "ids": self.ids}),
            encoding="utf-8",
        )
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)

    def load(self, folder: Path) -> bool:
        """Load a snapshot; False when there is none or it is unreadable."""
        try:
            meta = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
            if meta.get("tokenizer") != TOKENIZER_VERSION:
                return False
            bm = bm25s.BM25.load(str(folder / "bm25")) if meta["ids"] else None
        except (OSError, ValueError, KeyError):
            return False
        self.ids, self.version, self._bm25 = meta["ids"], meta["version"], bm
        self._df = self._doc_freqs(bm) if bm is not None else {}
        return True


class TokenCache:
    """The index tokens of each chunk from the last build, so a rebuild after one new entry
    tokenises only what changed (a chunk is reused when its key, its document's content, is the same)."""

    SEP = "\x1f"  # between the cached tokens of a chunk (no token holds it)

    def __init__(self) -> None:
        self._known: dict[str, tuple[str, str]] = {}
        self._next: dict[str, tuple[str, str]] = {}

    def tokens(self, chunk_id: str, key: str, make: Callable[[], list[str]]) -> list[str]:
        """The chunk's tokens: cached when its key is unchanged, else made now."""
        hit = self._known.get(chunk_id)
        if hit is not None and hit[0] == key:
            toks = hit[1].split(self.SEP) if hit[1] else []
        else:
            toks = make()
        self._next[chunk_id] = (key, self.SEP.join(toks))
        return toks

    def keep(self) -> None:
        """This build's tokens are the cache now (chunks that are gone are forgotten)."""
        self._known, self._next = self._next, {}
