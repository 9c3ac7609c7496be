"""An on-disk cache of a space's text vectors, for analysis scripts run many times on the same texts.

The e5 encoder is deterministic for a text, so a variant of the signals or the model that embeds
the same questions and profiles need not embed them again (leave_world_out.py: most of its
minutes). The cache is keyed by the encoder version and the text; a script's figures are the same
with and without it.
"""

from __future__ import annotations

import atexit
from pathlib import Path

import numpy as np

from bot.experts.bridge import encoder_version
from bot.experts.semantic import ProfileSpace


def cached(space: ProfileSpace, path: Path) -> ProfileSpace:
    """A space like `space` (one encoder for questions and profiles, as e5's) whose encoder reads and
    fills the cache at `path` (.npz, written at exit)."""
    version = encoder_version()
    vectors: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path) as npz:
            if str(npz["encoder"]) == version:
                vectors = dict(zip((str(t) for t in npz["texts"]), npz["vectors"], strict=True))
    size = len(vectors)

    def encode_cached(texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in vectors]
        if missing:
            vectors.update(zip(missing, space.encode(missing), strict=True))
        return np.stack([vectors[t] for t in texts]) if texts else np.zeros((0, 384), dtype=np.float32)

    def save() -> None:
        if len(vectors) > size:
            texts = list(vectors)
            np.savez(
                path,
                texts=np.array(texts),
                vectors=np.stack([vectors[t] for t in texts]),
                encoder=np.array(version),
            )

    atexit.register(save)
    return ProfileSpace(space.name, encode_cached, encode_cached)
