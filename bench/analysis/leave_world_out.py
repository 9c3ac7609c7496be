"""Does the expert matcher generalise better when it learns from more writers' worlds? Leave one out.

    python bench/analysis/leave_world_out.py             # base and pooled
    python bench/analysis/leave_world_out.py --pooled-only --json out.json
    python bench/analysis/leave_world_out.py --cache /tmp/e5.npz --variants - e5_bridge_vote
        # pooled models with every feature ("-") and without bridge_vote, on the same rows

Every world but the blind ones is read once (signals of every question against its world's
profiles). For each world W, the ranking model and the minimum-fit gate are
fitted as bench/train_matching.py fits them, on world_a alone ("base", what ships since stop 19)
and on world_a plus every other world but W ("pooled"), and both are scored on W: top-1, top-2,
paraphrase and two-topic top-1, fit kept and no-fit held. `--cache` keeps the e5 vectors on disk
between runs (bench/analysis/encode_cache.py). The weights are over signals, not experts, so
another world's questions teach the same weights. The bridge of labelled members' questions
(bot/experts/bridge.py) never holds the questions of the world being read.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import train_matching as TM  # noqa: E402
from bench_matching import NOW  # noqa: E402
from encode_cache import cached  # noqa: E402

from bot.experts.matching import default_bridge, default_spaces  # noqa: E402
from bot.experts.signals import bridge_signals, feature_names  # noqa: E402
from bot.experts.themes import described  # noqa: E402


def counts(rows: list[dict], threshold: float) -> tuple[int, ...]:
    """Top-1, top-2 and questions that fit someone; paraphrase and two-topic top-1 and their
    numbers; fit kept; no-fit held and their number."""
    fit = [r for r in rows if r["fits"]]
    nofit = [r for r in rows if not r["fits"]]
    para = [r for r in fit if r["kind"] == "paraphrase"]
    two = [r for r in fit if r["kind"] == "two_topic"]
    return (
        sum(r["rank"] == 1 for r in fit),
        sum(bool(r["rank"]) and r["rank"] <= 2 for r in fit),
        len(fit),
        sum(r["rank"] == 1 for r in para),
        len(para),
        sum(r["rank"] == 1 for r in two),
        len(two),
        sum(r["top_p"] >= threshold for r in fit),
        sum(r["top_p"] < threshold for r in nofit),
        len(nofit),
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pooled-only", action="store_true", help="skip the model of world_a alone")
    ap.add_argument("--json", type=Path, help="write each held world's per-question rows here")
    ap.add_argument("--drop", nargs="*", default=[], help="features the pooled model leaves out")
    ap.add_argument(
        "--variants",
        nargs="*",
        default=[],
        help="pooled models to compare, each named by its left-out features (comma-separated; - none)",
    )
    ap.add_argument("--cache", type=Path, help="an on-disk cache of e5 vectors (the same figures, faster)")
    args = ap.parse_args(argv)
    logging.disable(logging.INFO)
    spaces = default_spaces(with_wordllama=False)
    if args.cache and "e5" in spaces:
        spaces["e5"] = cached(spaces["e5"], args.cache)
    names = [n for n in TM.SETS if TM.SETS[n][0].exists() and n not in TM.BLIND]
    sets = {n: TM.load_set(n) for n in names}
    bridge = default_bridge(spaces)
    # Each world's questions are read with a bridge that holds none of that world's questions.
    data = {
        n: TM.rows_for(experts, questions, spaces, bridge.without(n) if bridge else None)
        for n, (experts, questions) in sets.items()
    }
    space = spaces["e5"]

    q_vectors = {n: space.encode([q["question"] for q in questions]) for n, (_, questions) in sets.items()}
    described_of = {
        n: [described(e) for e in experts if e.available(NOW)] for n, (experts, _) in sets.items()
    }

    def rebridged(world: str, held: str) -> list:
        """World's rows with a bridge that holds neither world's nor held's questions: the held
        world's labels must not shape the weights it is scored with."""
        b = bridge.without(world, held)
        out = []
        for (q, rows, labels), vector in zip(data[world], q_vectors[world], strict=True):
            bridged = bridge_signals(b, space, vector, described_of[world])
            rows = [
                dict(r, **{f"e5_{k}": float(v[i]) for k, v in bridged.items()}) for i, r in enumerate(rows)
            ]
            out.append((q, rows, labels))
        return out

    pool_names = {
        n: [[e.name for e in experts if e.available(NOW)] for _ in questions]
        for n, (experts, questions) in sets.items()
    }
    every = feature_names(["e5"])
    # Named feature sets: "base" and "pooled" by default, or --variants (pooled only, one model per
    # set of left-out features, all scored on the same rows).
    variants = {v: [f for f in every if f not in v.split(",")] for v in args.variants} or {
        "pooled": [f for f in every if f not in args.drop]
    }
    print(f"features: {len(every)}, left out: {', '.join(args.drop) or 'none'}")
    # world_a's rows never held a held world's labels in the bridge either
    base_for = {
        held: TM.train(rebridged("world_a", held), variants["pooled"])
        for held in names
        if held != "world_a" and not args.pooled_only and not args.variants
    }
    keys = (["base"] if base_for else []) + list(variants)
    head = "top-1 / top-2 / para / two / kept / held"
    print(f"{'world':<9} {'n':>4}  " + "  ".join(f"{k[:20] + ' ' + head:>60}" for k in keys))
    sums = {k: [0] * 10 for k in keys}
    per_question: dict[str, dict[str, list[dict]]] = {k: {} for k in keys}
    for held in names:
        train_rows = [d for n in names if n != held for d in rebridged(n, held)]
        models = {k: TM.train(train_rows, f) for k, f in variants.items()}
        if held in base_for:
            models["base"] = base_for[held]
        cells = []
        for key in keys:
            if key not in models:  # base is fitted on world_a itself
                cells.append("-")
                continue
            model, gate = models[key]
            rows = TM.ranks(model, gate, data[held], pool_names[held])
            per_question[key][held] = [{k: v for k, v in r.items() if k != "gate"} for r in rows]
            values = counts(rows, gate.threshold)
            if held != "world_a":  # the totals compare the models on the same worlds
                for i, v in enumerate(values):
                    sums[key][i] += v
            t1, t2, n, p1, pn, w1, wn, kept, hold, nn = values
            cells.append(
                f"{t1 / n:.3f} / {t2 / n:.3f} / {p1:>2}/{pn:<2} / {w1:>2}/{wn:<2} / "
                f"{kept / n:.3f} / {hold}/{nn}"
            )
        n_fit = sum(q["fits"] for q in per_question[keys[-1]][held])
        print(f"{held:<9} {n_fit:>4}  " + "  ".join(f"{c:>60}" for c in cells), flush=True)
    print("totals over the worlds but world_a:")
    for key, (t1, t2, n, p1, pn, w1, wn, kept, hold, nn) in sums.items():
        if not n:
            continue
        print(
            f"  {key}: top-1 {t1 / n:.3f}, top-2 {t2 / n:.3f}, paraphrase {p1}/{pn} = {p1 / (pn or 1):.3f},"
            f" two-topic {w1}/{wn} = {w1 / (wn or 1):.3f}, fit kept {kept / n:.3f}, no-fit held {hold}/{nn}"
        )
    if args.json:
        args.json.write_text(json.dumps(per_question, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
