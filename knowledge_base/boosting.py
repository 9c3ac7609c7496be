"""Boosted shallow trees for the answerability decision, and the blend of them with the logistic model.

A logistic model adds its signals up; some of the decision's signals only count together (a typed
question whose top quote holds the fact and the asked year). Depth-2 trees, boosted on the log-loss
with Newton leaves (as XGBoost does), express that; averaged with the logistic model's log-odds
they held up better on writers left out than either alone (bench/README.md, stop 25). Fitted by
bench/train_answerability.py; a JSON file of a few hundred small trees, read with numpy only.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from knowledge_base.calibration import DATA, LogisticModel, fit, load_model, matrix, sigmoid, steady_threshold

DECISION_TREES = DATA / "answerability_trees.json"
QUOTE_TREES = DATA / "quote_trees.json"

log = logging.getLogger(__name__)

# A node: feature index (-1 for a leaf), threshold (x <= threshold goes left), left, right, leaf value.
Node = tuple[int, float, int, int, float]


@dataclass
class TreeEnsemble:
    """log-odds = base + rate * sum of the trees' leaf values."""

    features: list[str]
    base: float
    rate: float
    trees: list[list[Node]]
    meta: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The trees as padded arrays (feature, threshold, left, right, value per tree and node), so
        # that every tree is walked for all rows at once.
        width = max((len(tree) for tree in self.trees), default=1)
        packed = np.zeros((5, len(self.trees), width))
        packed[0] = -1
        for i, tree in enumerate(self.trees):
            for k, node in enumerate(tree):
                packed[:, i, k] = node
        self._feature, self._left, self._right = (packed[j].astype(np.int64) for j in (0, 2, 3))
        self._threshold, self._value = packed[1], packed[4]

    def logit(self, values: dict[str, float]) -> float:
        """The ensemble's log-odds for one example."""
        return float(self.logits([values])[0])

    def probability(self, values: dict[str, float]) -> float:
        """The ensemble's probability for one example."""
        return sigmoid(self.logit(values))

    def logits(self, rows: list[dict[str, float]]) -> np.ndarray:
        """The log-odds of many examples at once."""
        if not rows:
            return np.zeros(0)
        x = matrix(rows, self.features)
        n, t = len(rows), len(self.trees)
        trees = np.arange(t)[None, :]
        node = np.zeros((n, t), dtype=np.int64)
        for _ in range(self._feature.shape[1]):  # no path is longer than a tree's node count
            f = self._feature[trees, node]
            leaf = f < 0
            if leaf.all():
                break
            go_left = x[np.arange(n)[:, None], np.maximum(f, 0)] <= self._threshold[trees, node]
            node = np.where(leaf, node, np.where(go_left, self._left[trees, node], self._right[trees, node]))
        return self.base + self.rate * self._value[trees, node].sum(axis=1)

    def save(self, path: Path) -> None:
        """Write the ensemble as JSON (thresholds and values rounded to six decimals)."""
        trees = [[[j, round(t, 6), a, b, round(v, 6)] for j, t, a, b, v in tree] for tree in self.trees]
        data = {"features": self.features, "base": round(self.base, 6), "rate": self.rate, "trees": trees}
        path.write_text(json.dumps(dict(data, meta=self.meta), ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> TreeEnsemble:
        """Read an ensemble written by save()."""
        d = json.loads(path.read_text(encoding="utf-8"))
        trees = [
            [(int(j), float(t), int(a), int(b), float(v)) for j, t, a, b, v in tree] for tree in d["trees"]
        ]
        return cls(list(d["features"]), float(d["base"]), float(d["rate"]), trees, d.get("meta", {}))


def fit_trees(
    rows: list[dict[str, float]],
    labels: list[int],
    features: list[str],
    n_trees: int = 300,
    rate: float = 0.03,
    depth: int = 2,
    min_leaf: int = 30,
    l2: float = 3.0,
    sample_weight: list[float] | None = None,
) -> TreeEnsemble:
    """Gradient boosting of depth-limited trees on the log-loss (exact splits; deterministic)."""
    x = matrix(rows, features)
    y = np.array(labels, dtype=float)
    w = np.ones(len(y)) if sample_weight is None else np.array(sample_weight, dtype=float)
    prior = min(max(float(w @ y) / float(w.sum()), 1e-3), 1 - 1e-3) if len(y) else 0.5
    base = math.log(prior / (1 - prior))
    score = np.full(len(y), base)
    order = np.argsort(x, axis=0, kind="stable")
    trees: list[list[Node]] = []
    for _ in range(n_trees):
        p = 1.0 / (1.0 + np.exp(-score))
        g, h = w * (y - p), w * p * (1 - p)
        nodes: list[Node] = []
        _grow(nodes, np.ones(len(y), dtype=bool), 0, x, order, g, h, depth, min_leaf, l2)
        trees.append(nodes)
        score += rate * _apply(nodes, x)
    return TreeEnsemble(list(features), base, rate, trees)


def _grow(
    nodes: list[Node],
    mask: np.ndarray,
    level: int,
    x: np.ndarray,
    order: np.ndarray,
    g: np.ndarray,
    h: np.ndarray,
    depth: int,
    min_leaf: int,
    l2: float,
) -> int:
    """Add the node for the examples in mask (and its subtree); return its index."""
    me = len(nodes)
    total_g, total_h = float(g[mask].sum()), float(h[mask].sum())
    nodes.append((-1, 0.0, -1, -1, total_g / (total_h + l2)))
    split = _best_split(mask, x, order, g, h, min_leaf, l2) if level < depth else None
    if split is None:
        return me
    j, t = split
    go_left = x[:, j] <= t
    left = _grow(nodes, mask & go_left, level + 1, x, order, g, h, depth, min_leaf, l2)
    right = _grow(nodes, mask & ~go_left, level + 1, x, order, g, h, depth, min_leaf, l2)
    nodes[me] = (j, t, left, right, 0.0)
    return me


def _best_split(
    mask: np.ndarray, x: np.ndarray, order: np.ndarray, g: np.ndarray, h: np.ndarray, min_leaf: int, l2: float
) -> tuple[int, float] | None:
    """The feature and threshold with the largest gain, each side keeping min_leaf examples."""
    n = int(mask.sum())
    if n < 2 * min_leaf:
        return None
    total_g, total_h = float(g[mask].sum()), float(h[mask].sum())
    parent = total_g**2 / (total_h + l2)
    best: tuple[float, int, float] | None = None
    for j in range(x.shape[1]):
        idx = order[:, j][mask[order[:, j]]]
        xs = x[idx, j]
        cg, ch = np.cumsum(g[idx])[:-1], np.cumsum(h[idx])[:-1]
        gain = cg**2 / (ch + l2) + (total_g - cg) ** 2 / (total_h - ch + l2) - parent
        ok = xs[:-1] < xs[1:]
        ok[: max(min_leaf, 1) - 1] = False
        ok[n - min_leaf :] = False
        if not ok.any():
            continue
        i = int(np.argmax(np.where(ok, gain, -np.inf)))
        if gain[i] > 1e-12 and (best is None or gain[i] > best[0]):
            best = (float(gain[i]), j, float((xs[i] + xs[i + 1]) / 2))
    return (best[1], best[2]) if best else None


def _apply(nodes: list[Node], x: np.ndarray) -> np.ndarray:
    """The tree's leaf value for every row of x."""
    out = np.zeros(len(x))
    stack = [(0, np.ones(len(x), dtype=bool))]
    while stack:
        i, mask = stack.pop()
        j, t, left, right, value = nodes[i]
        if j < 0:
            out[mask] = value
            continue
        go_left = x[:, j] <= t
        stack += [(left, mask & go_left), (right, mask & ~go_left)]
    return out


# What ranks the candidate quotes: either model scores rows by their log-odds.
Scorer = LogisticModel | TreeEnsemble


def fit_quote_trees(
    rows: list[dict[str, float]], labels: list[int], weights: list[float], features: list[str]
) -> TreeEnsemble:
    """The quote ranker: trees on every candidate of the training questions, each question weighing
    the same (the weights are scaled to a mean of one, so that min_leaf still counts candidates)."""
    mean = (sum(weights) / len(weights) if weights else 0.0) or 1.0
    scaled = [w / mean for w in weights]
    return fit_trees(rows, labels, features, n_trees=200, rate=0.1, min_leaf=50, l2=1.0, sample_weight=scaled)


def load_quotes(logistic: Path, trees: Path | None = None) -> Scorer | None:
    """The quote ranker: the trees beside the logistic model's file when trained (stop 25), else the
    logistic model."""
    return _trees_beside(logistic, trees or logistic.with_name(QUOTE_TREES.name)) or load_model(logistic)


def _trees_beside(logistic: Path, trees: Path) -> TreeEnsemble | None:
    """Trees from a file beside a logistic model's; a damaged file is logged and left out."""
    if not trees.exists():
        return None
    try:
        ensemble = TreeEnsemble.load(trees)
        width = len(ensemble.features)
        for tree in ensemble.trees:
            for j, _, left, right, _ in tree:
                if not -1 <= j < width or (j >= 0 and not (0 < left < len(tree) and 0 < right < len(tree))):
                    raise ValueError("a node reads a feature the file does not name, or no node it points at")
        return ensemble
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        log.warning("ignoring the damaged model file %s (%s); deciding without it", trees, exc)
        return None


@dataclass
class Blend:
    """The mean of the logistic model's and the trees' log-odds, with the blend's own threshold.

    Log-odds, not probabilities: trees cannot extrapolate, and for a question unlike any they were
    trained on (off topic, garbage) they stay near the prior while the logistic model is sure; the
    mean of probabilities would leave such a question half-way, the mean of log-odds follows the one
    that is sure."""

    logistic: LogisticModel
    trees: TreeEnsemble
    threshold: float

    @property
    def features(self) -> list[str]:
        """Every feature either model reads."""
        return sorted(set(self.logistic.features) | set(self.trees.features))

    def probability(self, values: dict[str, float]) -> float:
        """The blended probability of answering."""
        return sigmoid((self.logistic.logit(values) + self.trees.logit(values)) / 2)


def load_decision(logistic: Path, trees: Path | None = None) -> Blend | LogisticModel | None:
    """The decision: the blend when the logistic model has trees beside it, the logistic model alone
    when it has none (trained before stop 25), None when it has not been trained."""
    model = load_model(logistic)
    if model is None:
        return None
    ensemble = _trees_beside(logistic, trees or logistic.with_name(DECISION_TREES.name))
    if ensemble is None:
        return model
    threshold = ensemble.meta.get("blend_threshold", model.threshold)
    return Blend(model, ensemble, float(threshold) if isinstance(threshold, int | float) else model.threshold)


def blend_threshold(
    rows: list[dict[str, float]], labels: list[int], features: list[str], l2: float, folds: list[int]
) -> tuple[float, float]:
    """The blend's steady threshold and balanced accuracy on out-of-fold probabilities (both models
    refitted without each fold)."""
    oof = [0.0] * len(rows)
    for k in range(max(folds) + 1):
        train = [i for i, f in enumerate(folds) if f != k]
        r, y = [rows[i] for i in train], [labels[i] for i in train]
        blend = Blend(fit(r, y, features, l2), fit_trees(r, y, features), 0.5)
        for i, f in enumerate(folds):
            if f == k:
                oof[i] = blend.probability(rows[i])
    return steady_threshold(oof, labels)
