#!/usr/bin/env python
"""Kill `verbinder ingest` at random moments, many times, and check SQL, Chroma and BM25 agree.

    python bench/kill_ingest.py --kills 20

Each round starts an ingest of a changed corpus (2,600 one-chunk documents, a fifth of them edited
each round), SIGKILLs it at a random moment after a batch is committed, then opens the knowledge
base as `verbinder` does (repair + freshness check) and compares the chunk ids of the three stores.
Prints the kills survived and any round whose stores disagree. A script, not a test.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "tests"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from support.killing import KILL_DOCUMENTS, consistency, kill_during_ingest, write_many  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    logging.disable(logging.WARNING)
    rng = random.Random(args.seed)
    killed = survived = 0
    with tempfile.TemporaryDirectory(prefix="kill_ingest_") as tmp:
        src, data = Path(tmp) / "src", Path(tmp) / "data"
        write_many(src, KILL_DOCUMENTS)
        for round_no in range(args.kills):
            for f in rng.sample(
                sorted(src.glob("*.md")), KILL_DOCUMENTS // 5
            ):  # changed documents: updates, not only adds
                f.write_text(f.read_text(encoding="utf-8") + f"Ronde {round_no}.\n", encoding="utf-8")
            if not kill_during_ingest(data, src, rng):
                print(f"round {round_no}: the ingest finished before the kill")
                continue
            killed += 1
            c = consistency(data)
            ok = c["dense_differs"] == c["dense_stale"] == c["lexical_differs"] == 0
            survived += ok
            print(f"round {round_no}: killed; {c}{'' if ok else '  INCONSISTENT'}")
    print(f"\n{killed} kills, {survived} left the stores consistent")
    return 0 if killed == survived else 1


if __name__ == "__main__":
    sys.exit(main())
