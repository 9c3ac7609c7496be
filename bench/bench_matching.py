#!/usr/bin/env python
"""Expert-matching benchmark: how often does ExpertMatcher put the right expert first?

Loads bench/matching/experts.yaml into a throw-away SQLite database through ExpertDirectory (the
same import path as `verbinder experts import`), ranks every question of
bench/matching/questions.jsonl and reports top-1, top-2 and MRR for three variants:

  full       ExpertMatcher with wordllama embeddings (what the bot runs)
  lexical    ExpertMatcher(embed=None): tags, stems, glossary, region, language, load
  embedding  plain cosine similarity of question and profile_text(), nothing else

A question counts as found at the rank of its first acceptable expert (`expert`, or one of
`also`); `strict@1` only accepts `expert`. Figures are given for all questions and for the
tuning and held-out halves (`split` in the file). This is a benchmark script, not a test.

    python bench/bench_matching.py            # table
    python bench/bench_matching.py --json     # figures and per-question ranks as JSON
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.experts.directory import Expert, ExpertDirectory  # noqa: E402
from bot.experts.matching import ExpertMatcher  # noqa: E402
from storage.db import make_engine, migrate, session_factory  # noqa: E402

DATA = ROOT / "bench" / "matching"
NOW = datetime(2026, 3, 2, 10, 0)
VARIANTS = ("full", "lexical", "embedding")
SPLITS = ("all", "tune", "held")


def load_questions(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for r in rows:
        r.setdefault("also", [])
    return rows


def load_experts(path: Path, workdir: Path) -> list[Expert]:
    engine = make_engine(f"sqlite:///{workdir / 'bench_matching.db'}")
    migrate(engine)
    store = ExpertDirectory(session_factory(engine))
    _, errors = store.import_yaml(path)
    if errors:
        raise SystemExit(f"{path}: {errors}")
    experts = store.all()
    engine.dispose()
    return experts


def embedding_ranker(embed):
    """Rank by cosine similarity of question and profile text only."""
    cache: dict[str, np.ndarray] = {}

    def vec(texts: list[str]) -> list[np.ndarray]:
        missing = [t for t in dict.fromkeys(texts) if t not in cache]
        if missing:
            for t, v in zip(missing, embed(missing), strict=True):
                a = np.asarray(v, dtype=np.float32)
                cache[t] = a / (float(np.linalg.norm(a)) or 1.0)
        return [cache[t] for t in texts]

    def rank(question: str, language: str, experts: list[Expert]) -> list[tuple[Expert, float, str]]:
        q, *ps = vec([question] + [e.profile_text() for e in experts])
        scored = [(e, float(q @ p), "") for e, p in zip(experts, ps, strict=True)]
        return sorted(scored, key=lambda x: (-x[1], x[0].id))

    return rank


def matcher_ranker(matcher: ExpertMatcher):
    def rank(question: str, language: str, experts: list[Expert]) -> list[tuple[Expert, float, str]]:
        return [(m.expert, m.score, m.reason) for m in matcher.rank(question, language, experts, NOW)]

    return rank


def evaluate(rank, questions: list[dict], experts: list[Expert]) -> list[dict]:
    out = []
    for q in questions:
        ranked = rank(q["question"], q["language"], experts)
        names = [e.name for e, _, _ in ranked]
        ok = {q["expert"], *q["also"]}
        pos = next((i + 1 for i, n in enumerate(names) if n in ok), None)
        top = ranked[0] if ranked else None
        out.append(
            {
                "id": q["id"],
                "split": q["split"],
                "kind": q.get("kind", ""),
                "language": q["language"],
                "expert": q["expert"],
                "also": q["also"],
                "rank": pos,
                "strict1": bool(names) and names[0] == q["expert"],
                "top": [n for n in names[:3]],
                "top_score": round(top[1], 3) if top else None,
                "top_reason": top[2] if top else "",
                "question": q["question"],
            }
        )
    return out


def summarise(rows: list[dict]) -> dict:
    n = len(rows)
    if not n:
        return {"n": 0}
    ranks = [r["rank"] for r in rows]
    return {
        "n": n,
        "top1": round(sum(1 for k in ranks if k == 1) / n, 3),
        "strict1": round(sum(r["strict1"] for r in rows) / n, 3),
        "top2": round(sum(1 for k in ranks if k and k <= 2) / n, 3),
        "mrr": round(sum(1 / k for k in ranks if k) / n, 3),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--experts", type=Path, default=DATA / "experts.yaml")
    ap.add_argument("--questions", type=Path, default=DATA / "questions.jsonl")
    ap.add_argument("--model", default="wordllama:l2_supercat_256", help="embedding model spec")
    ap.add_argument("--json", action="store_true", help="print figures and per-question results as JSON")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    questions = load_questions(args.questions)
    with tempfile.TemporaryDirectory(prefix="bench_matching_") as tmp:
        experts = load_experts(args.experts, Path(tmp))

    from knowledge_base.embeddings import load_embeddings

    emb = load_embeddings(args.model)
    rankers = {
        "full": matcher_ranker(ExpertMatcher(emb.embed_documents)),
        "lexical": matcher_ranker(ExpertMatcher(None)),
        "embedding": embedding_ranker(emb.embed_documents),
    }
    results = {v: evaluate(r, questions, experts) for v, r in rankers.items()}
    figures = {
        v: {s: summarise([r for r in rows if s == "all" or r["split"] == s]) for s in SPLITS}
        for v, rows in results.items()
    }
    by_kind = {
        v: {k: summarise([r for r in rows if r["kind"] == k]) for k in sorted({r["kind"] for r in rows})}
        for v, rows in results.items()
    }
    elapsed = round(time.perf_counter() - t0, 2)

    if args.json:
        json.dump(
            {
                "experts": len(experts),
                "questions": len(questions),
                "model": args.model,
                "seconds": elapsed,
                "figures": figures,
                "by_kind": by_kind,
                "results": results,
            },
            sys.stdout,
            ensure_ascii=False,
            indent=2,
        )
        print()
        return 0

    print(
        f"{len(experts)} experts, {len(questions)} questions "
        f"({sum(q['split'] == 'tune' for q in questions)} tune / "
        f"{sum(q['split'] == 'held' for q in questions)} held-out), model {args.model}\n"
    )
    print(f"{'variant':<10} {'split':<5} {'n':>3} {'top-1':>6} {'strict1':>7} {'top-2':>6} {'MRR':>6}")
    for v in VARIANTS:
        for s in SPLITS:
            f = figures[v][s]
            print(
                f"{v:<10} {s:<5} {f['n']:>3} {f['top1']:>6.3f} {f['strict1']:>7.3f} "
                f"{f['top2']:>6.3f} {f['mrr']:>6.3f}"
            )
    print("\ntop-1 by question kind:")
    kinds = sorted(by_kind["full"])
    heads = [f"{k} ({by_kind['full'][k]['n']})" for k in kinds]
    print(f"{'variant':<10} " + " ".join(f"{h:>14}" for h in heads))
    for v in VARIANTS:
        print(f"{v:<10} " + " ".join(f"{by_kind[v][k]['top1']:>14.3f}" for k in kinds))
    for v in VARIANTS:
        misses = [r for r in results[v] if r["rank"] != 1]
        print(f"\nmisses ({v}): {len(misses)}")
        for r in misses:
            print(
                f"  {r['id']} [{r['split']}/{r['kind']}/{r['language']}] want {r['expert']}"
                f"{' or ' + ', '.join(r['also']) if r['also'] else ''} -> rank {r['rank']}; "
                f"top: {' > '.join(r['top'])} ({r['top_score']}; {r['top_reason'] or '-'})"
            )
            if v == "full":
                print(f"      {r['question']}")
    print(f"\n{elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
