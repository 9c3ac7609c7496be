"""Does the expert matcher generalise better when it learns from more writers' worlds? Leave one out.

    python bench/analysis/leave_world_out.py

Every world but the blind ones is read once (signals of every question against its world's
profiles). For each world W other than world_a, the ranking model and the minimum-fit gate are
fitted as bench/train_matching.py fits them, on world_a alone ("base", what ships since stop 19)
and on world_a plus every other world but W ("pooled"), and both are scored on W: top-1, top-2 and
paraphrase top-1. The weights are over signals, not experts, so another world's questions teach
the same weights.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import train_matching as TM  # noqa: E402
from bench_matching import NOW  # noqa: E402

from bot.experts.matching import default_spaces  # noqa: E402
from bot.experts.signals import feature_names  # noqa: E402


def main() -> int:
    logging.disable(logging.INFO)
    spaces = default_spaces(with_wordllama=False)
    names = [n for n in TM.SETS if TM.SETS[n][0].exists() and n not in TM.BLIND]
    sets = {n: TM.load_set(n) for n in names}
    data = {n: TM.rows_for(experts, questions, spaces) for n, (experts, questions) in sets.items()}
    pool_names = {
        n: [[e.name for e in experts if e.available(NOW)] for _ in questions]
        for n, (experts, questions) in sets.items()
    }
    features = feature_names(["e5"])
    base = TM.train(data["world_a"], features)
    print(f"{'world':<9} {'n':>4}  {'base top-1/top-2/para':>24}  {'pooled top-1/top-2/para':>24}")
    sums = {"base": [0, 0, 0, 0, 0], "pooled": [0, 0, 0, 0, 0]}
    for held in names:
        if held == "world_a":
            continue
        pooled = TM.train([d for n in names if n != held for d in data[n]], features)
        cells = []
        for key, (model, gate) in (("base", base), ("pooled", pooled)):
            rows = TM.ranks(model, gate, data[held], pool_names[held])
            fit = [r for r in rows if r["fits"]]
            para = [r for r in fit if r["kind"] == "paraphrase"]
            t1 = sum(r["rank"] == 1 for r in fit)
            t2 = sum(bool(r["rank"]) and r["rank"] <= 2 for r in fit)
            p1 = sum(r["rank"] == 1 for r in para)
            for i, v in enumerate((t1, t2, len(fit), p1, len(para))):
                sums[key][i] += v
            cells.append(f"{t1 / len(fit):.3f} / {t2 / len(fit):.3f} / {p1:>2}/{len(para):<2}")
        print(f"{held:<9} {len(fit):>4}  {cells[0]:>24}  {cells[1]:>24}", flush=True)
    for key, (t1, t2, n, p1, pn) in sums.items():
        print(f"{key}: top-1 {t1 / n:.3f}, top-2 {t2 / n:.3f}, paraphrase {p1}/{pn} = {p1 / (pn or 1):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
