"""Match a question to experts: meaning, themes/tags, region and language, skipping the away and full."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from bot.experts import Expert
from knowledge_base import glossary
from knowledge_base import text as T

Embed = Callable[[list[str]], Sequence[Sequence[float]]]

TAG_WEIGHT = 0.35
TAG_CAP = 0.7
OVERLAP_WEIGHT = 0.6
SEMANTIC_WEIGHT = 0.8
REGION_BONUS = 0.3
OTHER_REGION = -0.1
LANGUAGE_PENALTY = -0.5
LOAD_PENALTY = 0.06


@dataclass(frozen=True)
class Match:
    """An expert's fit for a question, with a short reason for the routing message."""

    expert: Expert
    score: float
    reason: str


def _stems(text: str) -> set[str]:
    """Dutch and English stems of the content words, widened with the domain glossary."""
    out: set[str] = set()
    for w in T.content_words(text):
        for v in (w, *glossary.expansions(w)):
            for part in v.replace("-", " ").split():
                out.add(T.stem(part, "nl"))
                out.add(T.stem(part, "en"))
    return out


def _phrase_in(phrase: str, text_norm: str, stems: set[str]) -> bool:
    """A tag/region (one or more words) occurs in the question, literally or by stem."""
    p = T.normalise(phrase)
    if not p:
        return False
    if f" {p} " in f" {text_norm} ":
        return True
    words = [w for w in T.content_words(p)] or T.words(p)
    return bool(words) and all(
        any(T.stem(v, lang) in stems for v in (w, *glossary.expansions(w)) for lang in ("nl", "en"))
        for w in words
    )


class ExpertMatcher:
    """Ranks experts for a question; embeddings are optional (lexical matching alone also works)."""

    def __init__(self, embed: Embed | None = None) -> None:
        self.embed = embed
        self._cache: dict[str, np.ndarray] = {}

    def _vectors(self, texts: list[str]) -> list[np.ndarray] | None:
        if self.embed is None:
            return None
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            for t, v in zip(missing, self.embed(missing), strict=True):
                arr = np.asarray(v, dtype=np.float32)
                n = float(np.linalg.norm(arr))
                self._cache[t] = arr / n if n else arr
            if len(self._cache) > 5000:
                self._cache.clear()
        return [self._cache[t] for t in texts]

    def rank(
        self,
        question: str,
        language: str,
        experts: list[Expert],
        now: datetime,
        offers: dict[int, int] | None = None,
        include_unavailable: bool = False,
    ) -> list[Match]:
        """Experts best first; the away and the full are left out unless asked for."""
        pool = [e for e in experts if include_unavailable or e.available(now)]
        if not pool:
            return []
        q_norm = T.normalise(question)
        q_stems = _stems(question)
        all_regions = {r for e in experts for r in e.regions}
        asked_regions = {r for r in all_regions if _phrase_in(r, q_norm, q_stems)}
        vecs = self._vectors([question] + [e.profile_text() for e in pool])
        offers = offers or {}
        matches = []
        for i, e in enumerate(pool):
            reasons: list[str] = []
            tags = [t for t in e.tags if _phrase_in(t, q_norm, q_stems)]
            score = min(TAG_CAP, TAG_WEIGHT * len(tags))
            if tags:
                reasons.append(", ".join(tags))
            p_stems = _stems(e.profile_text())
            if q_stems:
                score += OVERLAP_WEIGHT * len(q_stems & p_stems) / len(q_stems)
            if vecs is not None:
                score += SEMANTIC_WEIGHT * float(vecs[0] @ vecs[i + 1])
            regions = [r for r in e.regions if r in asked_regions]
            if regions:
                score += REGION_BONUS
                reasons.append(", ".join(regions))
            elif asked_regions and e.regions:
                score += OTHER_REGION
            if e.languages and language not in e.languages:
                score += LANGUAGE_PENALTY
            score -= LOAD_PENALTY * (e.open_claims + offers.get(e.id, 0))
            matches.append(Match(e, round(score, 4), "; ".join(reasons)))
        matches.sort(key=lambda m: (-m.score, m.expert.open_claims, m.expert.id))
        return matches
