"""Compare answerability feature sets on the same rows: extract once, then fit each variant alike.

    python bench/analysis/compare_decision.py                 # shipped model, refits of its and all features
    python bench/analysis/compare_decision.py --drop absent_  # all features minus these prefixes

A retrain through bench/train_answerability.py also refits the quote model, which moves the
candidates every decision feature is read from. Here every variant sees the same candidates,
ranked by the shipped quote model; each is cross-validated on the training sets (L2 and a steady
threshold, as the training script does), fitted on them, and scored on every other set with the
decision alone (the contact fact override and the *not sure* band are left out: they do not
depend on the model).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import train_answerability as TA  # noqa: E402

from knowledge_base.calibration import DECISION_MODEL, QUOTE_MODEL, LogisticModel, fit, load_model  # noqa: E402

TRAIN = ("labels-train", "dev", "extra")


def bacc(p: list[float], y: list[int], t: float) -> float:
    """Balanced accuracy of answering when p >= t."""
    pos = [pi >= t for pi, yi in zip(p, y, strict=True) if yi]
    neg = [pi < t for pi, yi in zip(p, y, strict=True) if not yi]
    return (sum(pos) / (len(pos) or 1) + sum(neg) / (len(neg) or 1)) / 2


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--drop", nargs="*", default=[], help="feature prefixes left out of the 'all' variant")
    args = ap.parse_args()
    logging.disable(logging.WARNING)
    sets, examples = TA.extract_sets()
    quotes = load_model(QUOTE_MODEL)
    assert quotes is not None, "no shipped quote model: run bench/train_answerability.py"
    rows = {name: TA.decision_rows(exs, quotes) for name, exs in examples.items()}
    shipped_model = load_model(DECISION_MODEL)
    assert shipped_model is not None, "no shipped decision model: run bench/train_answerability.py"
    shipped = list(shipped_model.features)
    every = sorted({k for r, _ in rows.values() for row in r for k in row})
    variants = {
        "shipped features": shipped,
        "all features": [f for f in every if not any(f.startswith(d) for d in args.drop)],
    }
    train_items = [x for n in TRAIN for x in sets[n]]
    t_rows = [r for n in TRAIN for r in rows[n][0]]
    t_labels = [y for n in TRAIN for y in rows[n][1]]
    report = [n for n in rows if n not in TRAIN]
    print(f"{'variant':<18} {'cv':>6} " + " ".join(f"{n:>11}" for n in report) + f" {'pooled':>7}")
    fits: dict[str, tuple[LogisticModel, float, float, float]] = {}
    fits["shipped model"] = (shipped_model, shipped_model.threshold, float("nan"), float("nan"))
    for label, features in variants.items():
        l2, t, cv = TA.cross_validate(t_rows, t_labels, features, TA.folds_of(train_items, "question"))
        fits[label] = (fit(t_rows, t_labels, features, l2), t, cv, l2)
    for label, (model, t, cv, l2) in fits.items():
        cells, pool_p, pool_y = [], [], []
        for n in report:
            p = [model.probability(r) for r in rows[n][0]]
            cells.append(f"{bacc(p, rows[n][1], t):>11.3f}")
            pool_p += p
            pool_y += rows[n][1]
        print(f"{label:<18} {cv:>6.3f} " + " ".join(cells) + f" {bacc(pool_p, pool_y, t):>7.3f}")
        print(f"{'':<18} l2 {l2}, threshold {t:.2f}, {len(model.features)} features")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
