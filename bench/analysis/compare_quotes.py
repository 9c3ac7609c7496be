"""Compare quote-model feature sets on the same candidates: evidence first, and evidence carried.

    python bench/analysis/compare_quotes.py --drop spec_own spec_win --leave-set-out  # stop 23's test
    python bench/analysis/compare_quotes.py --add FEATURE     # a candidate feature evidence.py computes

The candidates are extracted once. The shipped quote model, a refit with QUOTE_FEATURES ("refit")
and a refit with QUOTE_FEATURES + --add - --drop ("variant") are compared; each refit is fitted on
labels-train, dev and extra as bench/train_answerability.py fits it, and cross-validated there by
question folds. On every set it reports the share of questions whose evidence sentence the model
ranks first (of those whose evidence is among the candidates), and *evidence carried* as the bot
would quote with that ranking, for the questions the shipped models answer (the decision is left as
shipped: this compares the ordering of quotes only). Needs bench/out/answerability/eval-*.jsonl
from a run of train_answerability.py.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import train_answerability as TA  # noqa: E402

from bot.answering.evaluation import carries  # noqa: E402
from knowledge_base.answerer import Answerer, rank_candidates  # noqa: E402
from knowledge_base.calibration import QUOTE_MODEL, LogisticModel, fit, load_model  # noqa: E402

TRAIN = ("labels-train", "dev", "extra")


def positive(sentence: str, evidence: str) -> bool:
    """The training label of a candidate: it carries the evidence."""
    return carries(sentence, evidence) or " ".join(evidence.split()) in sentence


def scores(
    examples: list[dict[str, Any]], model: LogisticModel, answered: dict[str, bool], answerer: Answerer
) -> tuple[int, int, int, int]:
    """(evidence first, evidence among candidates, carried, answered with evidence) for one model."""
    first = present = carried = n = 0
    for ex in examples:
        x, pool = ex["item"], ex["pool"]
        if not x["answerable"] or not x.get("evidence") or pool is None:
            continue
        best = rank_candidates(pool.candidates, model)
        if any(positive(c.sentence, x["evidence"]) for c in best):
            present += 1
            first += positive(best[0].sentence, x["evidence"])
        if answered.get(str(x["id"])):
            n += 1
            quotes = answerer._quotes(best, ex["analysis"])
            carried += carries(" ".join(e.sentence for e in quotes), x["evidence"])
    return first, present, carried, n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--add", nargs="*", default=[], help="features added to QUOTE_FEATURES")
    ap.add_argument("--drop", nargs="*", default=[], help="features left out of the variant")
    ap.add_argument(
        "--leave-set-out",
        action="store_true",
        help="also fit on the training sets plus every other report set, scored on the one left out",
    )
    args = ap.parse_args()
    logging.disable(logging.WARNING)
    sets, examples = TA.extract_sets()
    answerer = Answerer(quote_model=None, decision_model=None)  # only its quote selection (_quotes)
    answered: dict[str, dict[str, bool]] = {}
    for name in sets:
        rows = [json.loads(line) for line in (TA.OUT / f"eval-{name}.jsonl").open(encoding="utf-8")]
        answered[name] = {str(r["id"]): "carried" in r for r in rows}
    shipped = load_model(QUOTE_MODEL)
    assert shipped is not None
    base = list(TA.QUOTE_FEATURES)
    variant = [f for f in base + list(args.add) if f not in args.drop]
    train = [ex for n in TRAIN for ex in examples[n]]
    models: dict[str, LogisticModel] = {"shipped": shipped}
    for label, features in (("refit", base), ("variant", variant)):
        rows, labels, weights = TA.quote_rows(train)
        models[label] = fit(rows, labels, features, l2=1.0, sample_weight=weights)
        # Out-of-fold evidence-first on the training questions.
        folds = TA.folds_of([ex["item"] for ex in train], "question")
        hit = tot = 0
        for k in sorted(set(folds)):
            fold_train = [ex for ex, f in zip(train, folds, strict=True) if f != k]
            r, y, w = TA.quote_rows(fold_train)
            m = fit(r, y, features, l2=1.0, sample_weight=w)
            held = [ex for ex, f in zip(train, folds, strict=True) if f == k]
            a, b, _, _ = scores(held, m, {}, answerer)
            hit, tot = hit + a, tot + b
        print(f"{label}: out-of-fold evidence first {hit}/{tot} = {hit / tot:.3f}")
    print(f"\n{'set':<13}" + "".join(f"{m:>22}" for m in models) + "   (first/present · carried/answered)")
    for name, exs in examples.items():
        cells = []
        for model in models.values():
            a, b, c, n = scores(exs, model, answered[name], answerer)
            cells.append(f"{a:>3}/{b:<3} {c:>3}/{n:<3} {c / (n or 1):.3f}")
        print(f"{name:<13}" + "".join(f"{cell:>22}" for cell in cells))
    if args.leave_set_out:
        held_sets = [n for n in examples if n not in TRAIN and n != "labels-test"]
        print(f"\nleave one set out (trained on {', '.join(TRAIN)} + the other report sets)")
        sums = {label: [0, 0] for label in ("refit", "variant")}
        for held in held_sets:
            pool = train + [ex for n in held_sets if n != held for ex in examples[n]]
            rows, labels, weights = TA.quote_rows(pool)
            cells = []
            for label, features in (("refit", base), ("variant", variant)):
                model = fit(rows, labels, features, l2=1.0, sample_weight=weights)
                a, b, c, n = scores(examples[held], model, answered[held], answerer)
                sums[label][0] += c
                sums[label][1] += n
                cells.append(f"{a:>3}/{b:<3} {c:>3}/{n:<3} {c / (n or 1):.3f}")
            print(f"{held:<13}" + "".join(f"{cell:>22}" for cell in cells), flush=True)
        print(f"{'carried':<13}" + "".join(f"{v[0] / v[1]:>22.3f}" for v in sums.values()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
