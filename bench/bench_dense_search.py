#!/usr/bin/env python
"""Chroma HNSW search breadth: Chroma's default (ef_search 100) against Verbinder's (EF_SEARCH).

    python bench/bench_dense_search.py                 # 50,000 vectors, 300 queries
    python bench/bench_dense_search.py --vectors 3000  # a community-sized index

Builds one local Chroma collection of clustered 256-dimensional vectors (like chunk embeddings:
topics, not uniform noise), then asks the same queries for the 40 nearest (what retrieval asks)
with both breadths, alternating in blocks so that a busy machine slows both alike. Prints the
median and 95th percentile time per query, their ratio, and the recall against exact search.
This is a benchmark script, not a test.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge_base.dense import EF_SEARCH, make_client  # noqa: E402

K = 40


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vectors", type=int, default=50_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    centres = rng.normal(size=(200, 256)).astype(np.float32)
    data = centres[rng.integers(0, 200, args.vectors)] + 0.6 * rng.normal(size=(args.vectors, 256))
    data = (data / np.linalg.norm(data, axis=1, keepdims=True)).astype(np.float32)
    queries = centres[rng.integers(0, 200, args.queries)] + 0.8 * rng.normal(size=(args.queries, 256))
    queries = (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype(np.float32)
    exact = [set(np.argsort(-(data @ q))[:K].tolist()) for q in queries]
    with tempfile.TemporaryDirectory(prefix="bench_dense_") as tmp:
        client = make_client("", 0, Path(tmp))
        cols = {}
        for ef in (100, EF_SEARCH):
            cols[ef] = client.get_or_create_collection(
                f"bench{ef}",
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine", "ef_search": ef}},
            )
            step = 2500
            for i in range(0, args.vectors, step):
                ids = [str(j) for j in range(i, min(i + step, args.vectors))]
                cols[ef].add(ids=ids, embeddings=data[i : i + step])
        times: dict[int, list[float]] = {100: [], EF_SEARCH: []}
        recall: dict[int, list[float]] = {100: [], EF_SEARCH: []}
        block = 25
        for start in range(0, args.queries, block):
            for ef in (100, EF_SEARCH) if (start // block) % 2 == 0 else (EF_SEARCH, 100):
                for qi in range(start, min(start + block, args.queries)):
                    t0 = time.perf_counter()
                    res = cols[ef].query(query_embeddings=[queries[qi]], n_results=K, include=[])
                    times[ef].append(time.perf_counter() - t0)
                    got = {int(x) for x in res["ids"][0]}
                    recall[ef].append(len(got & exact[qi]) / K)
    print(f"{args.vectors} vectors, {args.queries} queries, top {K}")
    print(f"{'ef_search':>10} {'p50 ms':>8} {'p95 ms':>8} {'recall@40':>10}")
    for ef, ts in times.items():
        print(
            f"{ef:>10} {1000 * np.percentile(ts, 50):>8.2f} {1000 * np.percentile(ts, 95):>8.2f} "
            f"{np.mean(recall[ef]):>10.4f}"
        )
    ratio = np.percentile(times[EF_SEARCH], 50) / np.percentile(times[100], 50)
    print(f"p50 ratio {EF_SEARCH}/100: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
