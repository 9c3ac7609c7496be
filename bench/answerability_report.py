"""The report of bench/train_answerability.py: every set through the full assistant, its figures and
the outcomes by question kind."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from app.runtime import Runtime
from bot.answering.evaluation import run_eval


def report(rts: dict[str, Runtime], sets: dict[str, list[dict[str, Any]]], out: Path) -> dict[str, Any]:
    """Every set through the full assistant with the shipped models: the figures and the outcomes by kind."""
    figures: dict[str, Any] = {}
    for name, items in sets.items():
        by_kb: dict[str, list[dict[str, Any]]] = {}
        for x in items:
            by_kb.setdefault(x["kb"], []).append(x)
        rows_all, kinds = [], Counter()
        agg: dict[str, float] = Counter()
        for kb, part in by_kb.items():
            res, rows = run_eval(rts[kb].assistant, part)
            rows_all += rows
            n_a, n_u = res.answerable, res.unanswerable
            agg["ans"] += n_a
            agg["unans"] += n_u
            agg["answered"] += res.answered_answerable * n_a
            agg["routed"] += res.routed_unanswerable * n_u
            agg["r5"] += res.recall_at_5 * n_a
            agg["mrr"] += res.mrr_at_10 * n_a
            agg["carried"] += (res.evidence_carried or 0.0) * res.evidence_n
            agg["ev_n"] += res.evidence_n
            for kind, c in res.by_kind.items():
                for outcome, n in c.items():
                    kinds[(kind, outcome)] += n
        a, u = agg["ans"] or 1, agg["unans"] or 1
        fig = {
            "questions": len(items),
            "answerable": int(agg["ans"]),
            "unanswerable": int(agg["unans"]),
            "recall_at_5": round(agg["r5"] / a, 3),
            "mrr_at_10": round(agg["mrr"] / a, 3),
            "route_balanced_accuracy": round((agg["answered"] / a + agg["routed"] / u) / 2, 3),
            "answerable_answered": round(agg["answered"] / a, 3),
            "unanswerable_routed": round(agg["routed"] / u, 3),
            "unanswerable_quoted": round(1 - agg["routed"] / u, 3),
            "evidence_carried": round(agg["carried"] / agg["ev_n"], 3) if agg["ev_n"] else None,
            "by_kind": {f"{k}:{o}": n for (k, o), n in sorted(kinds.items())},
        }
        figures[name] = fig
        (out / f"eval-{name}.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows_all)
        )
    return figures


def print_report(figures: dict[str, Any], by_kind: list[str]) -> None:
    """The table of every set, then the outcomes per question kind of the given sets."""
    print(
        f"\n{'set':<13} {'n':>4} {'R@5':>6} {'MRR':>6} {'bacc':>6} {'ans→ans':>8} {'un→route':>9} "
        f"{'un quoted':>10} {'carried':>8}"
    )
    for name, f in figures.items():
        carried = "-" if f["evidence_carried"] is None else f"{f['evidence_carried']:.3f}"
        print(
            f"{name:<13} {f['questions']:>4} {f['recall_at_5']:>6.3f} {f['mrr_at_10']:>6.3f} "
            f"{f['route_balanced_accuracy']:>6.3f} {f['answerable_answered']:>8.3f} "
            f"{f['unanswerable_routed']:>9.3f} "
            f"{f['unanswerable_quoted']:>10.3f} {carried:>8}"
        )
    for name in by_kind:
        if name in figures:
            print(f"\noutcomes by kind, {name} (answer / not_sure / route):")
            kinds: dict[str, Counter[str]] = {}
            for key, n in figures[name]["by_kind"].items():
                kind, outcome = key.split(":")
                kinds.setdefault(kind, Counter())[outcome] = n
            for kind, c in sorted(kinds.items()):
                print(f"  {kind:<20} {c['answer']:>3} / {c['not_sure']:>3} / {c['route']:>3}")
