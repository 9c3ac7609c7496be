"""Learned weights instead of hand-set thresholds: a logistic model for quotes and one for answerability.

Both models are small JSON files in knowledge_base/data, written by bench/train_answerability.py
from labelled questions; `fit` is here so the script and the tests use the same code. Features are
standardised with the training set's means and spreads, then weighed; the answer threshold is the
one that gave the best balanced accuracy in cross-validation on the training questions.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data"
QUOTE_MODEL = DATA / "quote_model.json"
DECISION_MODEL = DATA / "answerability_model.json"


def sigmoid(z: float) -> float:
    """The probability of a log-odds (clipped, so that no extreme score overflows)."""
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


def matrix(rows: list[dict[str, float]], features: list[str]) -> np.ndarray:
    """The rows as an array, one column per feature (a feature a row lacks is 0)."""
    return np.array([[float(r.get(f, 0.0)) for f in features] for r in rows])


@dataclass
class LogisticModel:
    """p(y=1 | features) = sigmoid(bias + sum(weight * standardised feature))."""

    features: list[str]
    weights: list[float]
    bias: float
    mean: list[float]
    scale: list[float]
    threshold: float = 0.5
    meta: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._mean = np.array(self.mean)
        self._scale = np.array(self.scale)
        self._weights = np.array(self.weights)

    def _vector(self, values: dict[str, float]) -> np.ndarray:
        x = np.array([float(values.get(f, 0.0)) for f in self.features])
        return (x - self._mean) / self._scale

    def logit(self, values: dict[str, float]) -> float:
        """The model's log-odds for one example."""
        return float(self.bias + self._vector(values) @ self._weights)

    def logits(self, rows: list[dict[str, float]]) -> np.ndarray:
        """The log-odds of many examples at once."""
        if not rows:
            return np.zeros(0)
        x = np.array([[r.get(f, 0.0) for f in self.features] for r in rows], dtype=float)
        return self.bias + ((x - self._mean) / self._scale) @ self._weights

    def probability(self, values: dict[str, float]) -> float:
        """The model's probability for one example."""
        return sigmoid(self.logit(values))

    def contributions(self, values: dict[str, float]) -> dict[str, float]:
        """Each feature's share of the log-odds (for --debug output)."""
        x = self._vector(values)
        return {f: round(float(w * v), 3) for f, w, v in zip(self.features, self.weights, x, strict=True)}

    def save(self, path: Path) -> None:
        """Write the model as JSON."""
        data = {
            "features": self.features,
            "weights": [round(w, 6) for w in self.weights],
            "bias": round(self.bias, 6),
            "mean": [round(m, 6) for m in self.mean],
            "scale": [round(s, 6) for s in self.scale],
            "threshold": round(self.threshold, 4),
            "meta": self.meta,
        }
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> LogisticModel:
        """Read a model written by save()."""
        d = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            d["features"],
            d["weights"],
            d["bias"],
            d["mean"],
            d["scale"],
            d.get("threshold", 0.5),
            d.get("meta", {}),
        )


def fit(
    rows: list[dict[str, float]],
    labels: list[int],
    features: list[str],
    l2: float = 1.0,
    sample_weight: list[float] | None = None,
) -> LogisticModel:
    """L2-regularised logistic regression by Newton's method (deterministic, a few dozen features)."""
    x = matrix(rows, features)
    y = np.array(labels, dtype=float)
    sw = np.ones(len(y)) if sample_weight is None else np.array(sample_weight, dtype=float)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    z1 = np.hstack([np.ones((len(y), 1)), z])
    w = np.zeros(z1.shape[1])
    reg = np.full(z1.shape[1], l2)
    reg[0] = 0.0  # the bias is not shrunk
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(z1 @ w, -40, 40)))
        grad = z1.T @ (sw * (p - y)) + reg * w
        hess = (z1 * (sw * p * (1 - p))[:, None]).T @ z1 + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return LogisticModel(
        list(features),
        [float(v) for v in w[1:]],
        float(w[0]),
        [float(m) for m in mean],
        [float(s) for s in scale],
    )


def fit_ranker(
    groups: list[tuple[list[dict[str, float]], list[int]]], features: list[str], l2: float = 1.0
) -> LogisticModel:
    """A conditional logit: per group (one question and its candidates), softmax over the candidates'
    scores, maximising the probability of the acceptable ones (labels 1). Newton's method on
    standardised features (the Fisher matrix as Hessian: exact for one acceptable candidate, PD
    always); the bias is 0 (it cannot change a ranking)."""
    x_all = matrix([r for rows, _ in groups for r in rows], features)
    mean = x_all.mean(axis=0)
    scale = x_all.std(axis=0)
    scale[scale < 1e-9] = 1.0
    data = []
    for rows, labels in groups:
        if not any(labels) or all(labels):
            continue  # nothing to learn from a group without a choice
        x = (matrix(rows, features) - mean) / scale
        data.append((x, np.array(labels, dtype=bool)))

    def loss(w: np.ndarray) -> float:
        total = 0.5 * l2 * float(w @ w)
        for x, ok in data:
            s = x @ w
            top = s.max()
            total -= float(np.log(np.exp(s[ok] - top).sum()) - np.log(np.exp(s - top).sum()))
        return total

    w = np.zeros(len(features))
    current = loss(w)
    for _ in range(100):
        grad = l2 * w
        hess = np.diag(np.full(len(features), l2 + 1e-9))
        for x, ok in data:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            q = np.exp(np.where(ok, s, -np.inf) - s[ok].max())
            q /= q.sum()  # the posterior over the acceptable candidates
            grad -= x.T @ q - x.T @ p
            ex = x.T @ p
            hess += (x * p[:, None]).T @ x - np.outer(ex, ex)  # exact with one acceptable candidate
        step = np.linalg.solve(hess, grad)
        t = 1.0
        while t > 1e-4 and loss(w - t * step) > current:  # backtrack: the Fisher step may overshoot
            t /= 2
        w -= t * step
        new = loss(w)
        if current - new < 1e-9:
            break
        current = new
    return LogisticModel(
        list(features), [float(v) for v in w], 0.0, [float(m) for m in mean], [float(s) for s in scale]
    )


def steady_threshold(
    probabilities: list[float], labels: list[int], width: float = 0.05
) -> tuple[float, float]:
    """The threshold whose neighbourhood (plus or minus `width`) has the best mean balanced accuracy,
    and the balanced accuracy at it: a lone peak of a few questions does not move the threshold."""
    pos = sum(labels)
    neg = len(labels) - pos
    if not pos or not neg:
        return 0.5, 0.0
    grid = [i / 100 for i in range(2, 99)]

    def bacc(t: float) -> float:
        tpr = sum(1 for p, y in zip(probabilities, labels, strict=True) if y and p >= t) / pos
        tnr = sum(1 for p, y in zip(probabilities, labels, strict=True) if not y and p < t) / neg
        return (tpr + tnr) / 2

    raw = [bacc(t) for t in grid]
    reach = round(width * 100)
    smooth = [float(np.mean(raw[max(0, i - reach) : i + reach + 1])) for i in range(len(grid))]
    best = max(range(len(grid)), key=lambda i: (smooth[i], -abs(grid[i] - 0.5)))
    return grid[best], raw[best]


@lru_cache(maxsize=4)
def load_model(path: Path) -> LogisticModel | None:
    """A shipped model, or None when it has not been trained yet."""
    return LogisticModel.load(path) if path.exists() else None
