"""Does training on more writers' questions generalise to a writer not trained on? Leave one set out.

    python bench/analysis/leave_set_out.py                  # candidates ranked by the shipped quote model
    python bench/analysis/leave_set_out.py --refit-quotes   # by one refitted on base, today's features

The candidates are extracted once and ranked by the shipped quote model (as compare_decision.py
does). For each report set S written by its own writer (heldout, more, fresh, fresh2, …), the
decision model is fitted on labels-train + dev + extra ("base") and, separately, on base plus every
other report set ("pooled"), L2 and threshold chosen by 5-fold cross-validation on its own training
rows; both are scored on S. labels-test is never trained on: it is scored by models of every
pooled training, and by the base model. Blind sets are never read.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import train_answerability as TA  # noqa: E402
from compare_decision import bacc  # noqa: E402

from knowledge_base.calibration import QUOTE_MODEL, LogisticModel, fit, load_model  # noqa: E402

BASE = ("labels-train", "dev", "extra")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", choices=("question", "writer"), default="question")
    ap.add_argument(
        "--refit-quotes",
        action="store_true",
        help="rank candidates by a quote model refitted on base with today's QUOTE_FEATURES",
    )
    args = ap.parse_args()
    logging.disable(logging.WARNING)
    sets, examples = TA.extract_sets()
    quotes = load_model(QUOTE_MODEL)
    assert quotes is not None
    if args.refit_quotes:
        r, y, w = TA.quote_rows([ex for n in BASE for ex in examples[n]])
        quotes = fit(r, y, TA.QUOTE_FEATURES, l2=1.0, sample_weight=w)
    rows = {n: TA.decision_rows(exs, quotes) for n, exs in examples.items()}
    features = sorted({k for r, _ in rows.values() for row in r for k in row})
    held_sets = [n for n in sets if n not in BASE and n != "labels-test"]

    def train(names: list[str]) -> tuple[LogisticModel, float]:
        items = [x for n in names for x in sets[n]]
        r = [row for n in names for row in rows[n][0]]
        y = [v for n in names for v in rows[n][1]]
        l2, t, _ = TA.cross_validate(r, y, features, TA.folds_of(items, args.folds))
        return fit(r, y, features, l2), t

    print(f"{'set':<12} {'base':>11} {'pooled':>11}   (balanced accuracy @ threshold)")
    totals = {"base": [0.0, 0], "pooled": [0.0, 0]}
    base_model = train(list(BASE))
    for held in [*held_sets, "labels-test"]:
        cells = []
        for key in totals:
            others = [n for n in held_sets if n != held]
            model, t = base_model if key == "base" else train(list(BASE) + others)
            p = [model.probability(r) for r in rows[held][0]]
            b = bacc(p, rows[held][1], t)
            if held != "labels-test":
                totals[key][0] += b * len(p)
                totals[key][1] += len(p)
            cells.append(f"{b:.3f}@{t:.2f}")
        print(f"{held:<12} " + " ".join(f"{c:>11}" for c in cells), flush=True)
    print(
        f"{'weighted':<12} "
        + " ".join(f"{v[0] / v[1]:>11.3f}" for v in totals.values())
        + "  (labels-test not in it)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
