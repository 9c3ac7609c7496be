#!/usr/bin/env python
"""Expert-matching benchmark: how often does ExpertMatcher put the right expert first?

Loads an experts file into a throw-away SQLite database through ExpertDirectory (the same import
path as `verbinder experts import`), ranks every question of a question file and reports top-1,
top-2 and MRR for three variants:

  full       ExpertMatcher with the e5 profile space and its learned model (what the bot runs)
  lexical    ExpertMatcher() without a semantic space: the lexical model
  embedding  plain e5 cosine similarity of question and profile_text(), nothing else

A question counts as found at the rank of its first acceptable expert (`expert`, or one of
`also`); `strict@1` only accepts `expert`. Questions with `"expert": null` fit nobody: `nofit held`
is the share of them the full matcher keeps below its minimum fit (`fit kept`: the share of the
others above it). Figures are given for all questions and for every `split` the file holds. The
time to rank one question against 200 profiles is measured at the end. Not a test.

The full matcher's bridge of labelled members' questions (bot/experts/bridge.py) holds the
questions of bench/matching's sets: a set's own questions are left out of it when that set is
ranked (`--bridge-without`, by default the set the question file belongs to).

    python bench/bench_matching.py                                   # the original 12-profile set
    python bench/bench_matching.py --experts bench/matching/world_b/experts.yaml \
        --questions bench/matching/world_b/questions.jsonl
    python bench/bench_matching.py --json     # figures and per-question ranks as JSON
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.experts.directory import Expert, ExpertDirectory  # noqa: E402
from bot.experts.matching import ExpertMatcher, default_bridge, default_spaces  # noqa: E402
from bot.experts.semantic import ProfileSpace  # noqa: E402
from storage.db import make_engine, migrate, session_factory  # noqa: E402

DATA = ROOT / "bench" / "matching"
NOW = datetime(2026, 3, 2, 10, 0)


def load_questions(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for r in rows:
        r.setdefault("also", [])
        r.setdefault("split", "all")
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


def set_name(questions: Path) -> str:
    """The bridge's name for the set a question file belongs to: its world, or "original"."""
    path = questions.resolve()
    if path == (DATA / "questions.jsonl").resolve():
        return "original"
    return path.parent.name if path.parent.parent == DATA.resolve() else ""


def embedding_ranker(space: ProfileSpace):
    """Rank by cosine similarity of question and profile text only."""

    def rank(question: str, language: str, experts: list[Expert]) -> list[tuple[Expert, float, str, bool]]:
        sims = space.similarities([question], [e.profile_text() for e in experts])[0]
        scored = [(e, float(s), "", True) for e, s in zip(experts, sims, strict=True)]
        return sorted(scored, key=lambda x: (-x[1], x[0].id))

    return rank


def matcher_ranker(matcher: ExpertMatcher):
    def rank(question: str, language: str, experts: list[Expert]) -> list[tuple[Expert, float, str, bool]]:
        return [(m.expert, m.score, m.reason, m.fits) for m in matcher.rank(question, language, experts, NOW)]

    return rank


def evaluate(rank, questions: list[dict], experts: list[Expert]) -> list[dict]:
    out = []
    for q in questions:
        ranked = rank(q["question"], q["language"], experts)
        names = [e.name for e, _, _, _ in ranked]
        ok = {q["expert"], *q["also"]} - {None}
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
                "fits": q["expert"] is not None,
                "kept": bool(top and top[3]),
                "top": [n for n in names[:3]],
                "top_score": round(top[1], 3) if top else None,
                "top_reason": top[2] if top else "",
                "question": q["question"],
            }
        )
    return out


def summarise(rows: list[dict]) -> dict:
    none = [r for r in rows if not r["fits"]]
    rows = [r for r in rows if r["fits"]]
    n = len(rows)
    out: dict = {"n": n, "top1": 0.0, "strict1": 0.0, "top2": 0.0, "mrr": 0.0, "kept": 0.0}
    if n:
        ranks = [r["rank"] for r in rows]
        out.update(
            top1=round(sum(1 for k in ranks if k == 1) / n, 3),
            strict1=round(sum(r["strict1"] for r in rows) / n, 3),
            top2=round(sum(1 for k in ranks if k and k <= 2) / n, 3),
            mrr=round(sum(1 / k for k in ranks if k) / n, 3),
            kept=round(sum(r["kept"] for r in rows) / n, 3),
        )
    out["nofit"] = len(none)
    out["held"] = round(sum(not r["kept"] for r in none) / len(none), 3) if none else None
    return out


def time_200(matcher: ExpertMatcher, experts: list[Expert], questions: list[dict]) -> dict:
    """Milliseconds to rank one question against 200 profiles (the profiles embedded beforehand)."""
    pool = [
        Expert(
            i + 1,
            f"{e.name} {i}",
            expertise=f"{e.expertise} ({i})",
            tags=e.tags,
            regions=e.regions,
            languages=e.languages,
            slack_user_id=f"U{i}",
        )
        for i, e in enumerate(experts[k % len(experts)] for k in range(200))
    ]
    t0 = time.perf_counter()
    matcher.warm(pool)
    warm = time.perf_counter() - t0
    times = []
    for q in questions[:30]:
        t = time.perf_counter()
        matcher.rank(q["question"], q["language"], pool, NOW)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {
        "profiles": 200,
        "warm_s": round(warm, 2),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--experts", type=Path, default=DATA / "experts.yaml")
    ap.add_argument("--questions", type=Path, default=DATA / "questions.jsonl")
    ap.add_argument("--json", action="store_true", help="print figures and per-question results as JSON")
    ap.add_argument(
        "--bridge-without",
        help="leave this labelled set out of the bridge (default: the set of the question file)",
    )
    ap.add_argument("--quiet", action="store_true", help="do not list the misses (a set not to tune on)")
    args = ap.parse_args(argv)

    logging.disable(logging.INFO)
    t0 = time.perf_counter()
    questions = load_questions(args.questions)
    with tempfile.TemporaryDirectory(prefix="bench_matching_") as tmp:
        experts = load_experts(args.experts, Path(tmp))
    splits = ["all", *sorted({q["split"] for q in questions} - {"all"})]
    spaces = default_spaces()
    bridge = default_bridge(spaces)
    if bridge is not None:
        bridge = bridge.without(args.bridge_without or set_name(args.questions))
    full = ExpertMatcher(spaces, bridge=bridge)
    rankers = {"full": matcher_ranker(full), "lexical": matcher_ranker(ExpertMatcher())}
    if "e5" in spaces:
        rankers["embedding"] = embedding_ranker(spaces["e5"])
    results = {v: evaluate(r, questions, experts) for v, r in rankers.items()}
    figures = {
        v: {s: summarise([r for r in rows if s == "all" or r["split"] == s]) for s in splits}
        for v, rows in results.items()
    }
    by_kind = {
        v: {
            k: summarise([r for r in rows if r["kind"] == k])
            for k in sorted({r["kind"] for r in rows if r["fits"]})
        }
        for v, rows in results.items()
    }
    timing = time_200(full, experts, questions)
    elapsed = round(time.perf_counter() - t0, 2)

    if args.json:
        json.dump(
            {
                "experts": len(experts),
                "questions": len(questions),
                "semantic": sorted(spaces),
                "seconds": elapsed,
                "timing_200": timing,
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

    counts = ", ".join(f"{s} {sum(q['split'] == s for q in questions)}" for s in splits[1:])
    print(f"{len(experts)} experts, {len(questions)} questions ({counts}), semantic: {sorted(spaces)}\n")
    print(
        f"{'variant':<10} {'split':<6} {'n':>3} {'top-1':>6} {'strict1':>7} {'top-2':>6} {'MRR':>6} "
        f"{'fit kept':>8} {'nofit held':>11}"
    )
    for v in rankers:
        for s in splits:
            f = figures[v][s]
            held = f"{f['held']:.3f} ({f['nofit']})" if f["held"] is not None and v != "embedding" else "-"
            kept = f"{f['kept']:.3f}" if v != "embedding" else "-"
            print(
                f"{v:<10} {s:<6} {f['n']:>3} {f['top1']:>6.3f} {f['strict1']:>7.3f} "
                f"{f['top2']:>6.3f} {f['mrr']:>6.3f} {kept:>8} {held:>11}"
            )
    print("\ntop-1 by question kind:")
    kinds = sorted(by_kind["full"])
    heads = [f"{k} ({by_kind['full'][k]['n']})" for k in kinds]
    print(f"{'variant':<10} " + " ".join(f"{h:>14}" for h in heads))
    for v in rankers:
        print(f"{v:<10} " + " ".join(f"{by_kind[v][k]['top1']:>14.3f}" for k in kinds))
    for v in ("full",) if args.quiet else rankers:
        misses = [r for r in results[v] if r["fits"] and r["rank"] != 1]
        if args.quiet:
            print(f"\nmisses (full): {len(misses)} (not shown: --quiet)")
            break
        print(f"\nmisses ({v}): {len(misses)}")
        for r in misses:
            print(
                f"  {r['id']} [{r['split']}/{r['kind']}/{r['language']}] want {r['expert']}"
                f"{' or ' + ', '.join(r['also']) if r['also'] else ''} -> rank {r['rank']}; "
                f"top: {' > '.join(r['top'])} ({r['top_score']}; {r['top_reason'] or '-'})"
            )
            if v == "full":
                print(f"      {r['question']}")
    print(
        f"\nranking one question against {timing['profiles']} profiles: p50 {timing['p50_ms']} ms, "
        f"p95 {timing['p95_ms']} ms (embedding the 200 profiles first: {timing['warm_s']} s)"
    )
    print(f"\n{elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
