"""Run every fuzz target of the test suite with 10,000+ examples and print what happened.

    python bench/fuzz.py                          # every target, 10,000 examples each
    python bench/fuzz.py --examples 50000 --target slack --target eval --jobs 2

Each target (a @given test of tests/test_fuzz_core.py and tests/test_fuzz_adapters.py) runs in
its own pytest process under the hypothesis profile "bench" (tests/support/fuzzing.py): randomly
seeded, and a failing example is counted instead of ending the run, so every target runs all its
examples. The counts are what hypothesis really ran (its --hypothesis-show-statistics), next to
what the target itself saw: failures with their kind (exception, where in Verbinder, first line) and
the shortest failing input, and notes (ERROR logs for payloads no member can send, which the
properties allow). --max-seconds stops a slow target like Ctrl-C and reports the examples it ran
and their rate. Exit code 1 when any example of any target failed.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FILES = ("tests/test_fuzz_core.py", "tests/test_fuzz_adapters.py")
STATS = re.compile(r"- (\d+) passing, (\d+) failing, and (\d+) invalid test cases")


@dataclass
class Result:
    """One target's run."""

    node: str
    seconds: float = 0.0
    passing: int = 0  # hypothesis statistics, over all phases
    failing: int = 0
    invalid: int = 0
    record: dict[str, Any] = field(default_factory=dict)  # written by the target (fuzzing.py)
    outcome: str = ""
    output: str = ""

    @property
    def name(self) -> str:
        return self.node.split("::")[-1]

    @property
    def examples(self) -> int:
        return self.passing + self.failing

    @property
    def failures(self) -> int:
        return int(self.record.get("failures", 0) or 0) if self.record else self.failing


def targets(patterns: list[str]) -> list[str]:
    """The node ids of the fuzz targets (the @given tests), filtered by name."""
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-p", "no:cacheprovider", *FILES],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    nodes = [line.strip() for line in out.stdout.splitlines() if "::test_" in line]
    given: set[str] = set()
    for f in FILES:
        for fn in ast.walk(ast.parse((ROOT / f).read_text(encoding="utf-8"))):
            if isinstance(fn, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and getattr(d.func, "id", "") == "given" for d in fn.decorator_list
            ):
                given.add(f"{f}::{fn.name}")
    fuzzed = [n for n in nodes if n in given]
    return [n for n in fuzzed if not patterns or any(p in n.split("::")[1] for p in patterns)]


def run(node: str, examples: int, log_dir: Path, max_seconds: float | None = None) -> Result:
    """One target in its own pytest process under the bench profile."""
    record = log_dir / (node.split("::")[1] + ".jsonl")
    record.unlink(missing_ok=True)
    env = {
        **os.environ,
        "VERBINDER_FUZZ_PROFILE": "bench",
        "VERBINDER_FUZZ_EXAMPLES": str(examples),
        "VERBINDER_FUZZ_RECORD": str(record),
        "VERBINDER_FUZZ_SECONDS": str(max_seconds or ""),
    }
    started = time.monotonic()
    cmd = [sys.executable, "-m", "pytest", node, "-q", "-rxXf", "-p", "no:cacheprovider"]
    proc = subprocess.Popen(
        [*cmd, "--hypothesis-show-statistics"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:  # the target stops itself after max_seconds (fuzzing.py); this is for a hung one
        stdout, _ = proc.communicate(timeout=max_seconds + 300 if max_seconds else None)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGINT)
        stdout, _ = proc.communicate()
    result = Result(node, time.monotonic() - started, output=stdout)
    for passing, failing, invalid in STATS.findall(stdout):
        result.passing += int(passing)
        result.failing += int(failing)
        result.invalid += int(invalid)
    if record.exists():
        lines = record.read_text(encoding="utf-8").splitlines()
        result.record = json.loads(lines[-1]) if lines else {}
    tail = stdout.strip().splitlines()[-1:] or [""]
    interrupted = bool(result.record.get("stopped")) or not result.record
    result.outcome = f"stopped after {max_seconds:.0f} s" if interrupted else tail[0].strip("= ")
    if interrupted and result.record:  # no statistics printed: the count is the target's own
        result.passing = int(result.record.get("examples", 0)) - result.failures
    (log_dir / (node.split("::")[1] + ".log")).write_text(result.output, encoding="utf-8")
    return result


def report(results: list[Result]) -> None:
    width = max(len(r.name) for r in results)
    head = f"{'examples':>8}  {'invalid':>7}  {'failures':>8}  {'seconds':>7}  {'per s':>6}"
    print(f"\n{'target':<{width}}  {head}")
    for r in results:
        rate = r.examples / r.seconds if r.seconds else 0.0
        print(
            f"{r.name:<{width}}  {r.examples:>8}  {r.invalid:>7}  {r.failures:>8}  "
            f"{r.seconds:>7.0f}  {rate:>6.1f}"
        )
    total = sum(r.examples for r in results)
    print(f"{'total':<{width}}  {total:>8}  {'':>7}  {sum(r.failures for r in results):>8}")
    for r in results:
        kinds: dict[str, int] = dict(r.record.get("kinds") or {})
        notes: dict[str, int] = dict(r.record.get("notes") or {})
        samples: dict[str, str] = dict(r.record.get("samples") or {})
        if not (kinds or notes) and r.record:
            continue
        print(f"\n{r.name} ({r.outcome}):")
        if not r.record:
            print("  no record written: see the log (the target did not run to the end)")
        for kind, n in sorted(kinds.items(), key=lambda kv: -kv[1]):
            print(f"  {n} x FAILED {kind}")
            print(f"      e.g. {samples.get(kind, '')[:400]}")
        for kind, n in sorted(notes.items(), key=lambda kv: -kv[1]):
            print(f"  {n} x noted  {kind[:300]}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--examples", type=int, default=10_000, help="examples per target (default 10,000)")
    parser.add_argument(
        "--target", action="append", default=[], help="run the targets whose name contains this"
    )
    parser.add_argument("--jobs", type=int, default=1, help="targets run at the same time")
    parser.add_argument("--logs", type=Path, default=None, help="folder for each target's pytest output")
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=None,
        help="stop a target after this long (its count so far is reported, with its rate)",
    )
    args = parser.parse_args()
    nodes = targets(args.target)
    if not nodes:
        print("no fuzz target matches", args.target, file=sys.stderr)
        return 2
    log_dir = args.logs or Path(tempfile.mkdtemp(prefix="verbinder-fuzz-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    print(f"{len(nodes)} targets, {args.examples} examples each; pytest output in {log_dir}", flush=True)
    results: list[Result] = []

    def one(node: str) -> Result:
        r = run(node, args.examples, log_dir, args.max_seconds)
        print(
            f"  {r.name}: {r.examples} examples, {r.failures} failures, {r.seconds:.0f} s ({r.outcome})",
            flush=True,
        )
        return r

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(one, nodes))
    report(results)
    return 1 if any(r.failures for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
