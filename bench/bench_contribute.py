"""Contribution benchmark: from a moderator's approval to the tip being answerable, and the steps.

Builds a fresh bot in a temporary data directory over a corpus (by default ../shared/corpus when
it is there, else the bundled sample), lets a member share tips step by step through the core (as
the Telegram adapter hands them over), approves each as a moderator, and times

* approve: `Queue.approve` (claim, decision, the knowledge-base upsert with its BM25 refresh);
* answerable: the first question about the tip after the approval, which must cite the new entry.

    python bench/bench_contribute.py                    # 10 tips over ../shared/corpus
    python bench/bench_contribute.py --corpus knowledge_base/sample --tips 20

It also counts what a member does to share a tip on each platform: Telegram messages (the command
and one answer per step, optional steps answered with '-'), Slack actions (the command, the modal
submission). Exit code 0 when every approved tip answered its question, 1 when one did not.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.runtime import build_runtime  # noqa: E402
from bot.community.forms import FIELDS, TIP  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.messages import ChatRef, Incoming  # noqa: E402

PLACES = [
    "Zwolle",
    "Deventer",
    "Tilburg",
    "Leeuwarden",
    "Middelburg",
    "Heerlen",
    "Almere",
    "Gouda",
    "Assen",
    "Emmen",
    "Venlo",
    "Roermond",
    "Hoorn",
    "Alkmaar",
    "Lelystad",
    "Kampen",
    "Zutphen",
    "Doetinchem",
    "Oss",
    "Breda",
]
WORDS = [
    "vlieger",
    "mozaïek",
    "pottenbakken",
    "zeefdruk",
    "boetseer",
    "kalligrafie",
    "origami",
    "batik",
    "vilt",
    "quilt",
    "linoleumsnede",
    "glas-in-lood",
    "houtsnijwerk",
    "marionetten",
    "papier-maché",
    "borduur",
    "weef",
    "edelsmeed",
    "stripteken",
    "fotografie",
]
BIRDS = [
    "Kwikstaart",
    "Zilvermeeuw",
    "Boomklever",
    "Merel",
    "Koolmees",
    "Fuut",
    "Reiger",
    "Kievit",
    "Grutto",
    "Wulp",
    "Tureluur",
    "Zwaluw",
    "Specht",
    "Steenuil",
    "Torenvalk",
    "Buizerd",
    "Ekster",
    "Gaai",
    "Lijster",
    "Vink",
]


def tip(n: int) -> tuple[str, str, str]:
    """A tip about something the corpus does not hold, and a question only it answers."""
    word, place, name = WORDS[n % len(WORDS)], PLACES[n % len(PLACES)], BIRDS[n % len(BIRDS)]
    title = f"{word.capitalize()}club De {name} in {place}"
    text = (
        f"In {place} komt elke donderdag {word}club De {name} samen in het buurthuis: ouderen en kinderen "
        f"maken samen {word}werk onder leiding van een kunstenaar."
    )
    return title, text, f"Wanneer komt {word}club De {name} in {place} samen?"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    shared = ROOT.parent / "shared" / "corpus"
    ap.add_argument(
        "--corpus", type=Path, default=shared if shared.is_dir() else ROOT / "knowledge_base" / "sample"
    )
    ap.add_argument("--tips", type=int, default=10, choices=range(1, len(BIRDS) + 1), metavar="1-20")
    ap.add_argument("--json", type=Path, help="Also write the figures here.")
    ap.add_argument(
        "--data-dir",
        type=Path,
        help="Start from a copy of this data directory (say, bench_kb's 50,000 chunks) instead of ingesting.",
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp), admins="slack:UADMIN", sample_kb=False, max_waiting_submissions=args.tips + 1
        )
        if args.data_dir is not None:
            shutil.copytree(args.data_dir, tmp, dirs_exist_ok=True)
        rt = build_runtime(settings)
        t0 = time.perf_counter()
        report = rt.ingest([] if args.data_dir is not None else [args.corpus])
        ingest_s = time.perf_counter() - t0
        core = rt.bot()
        service, queue = core.service, core.community.queue
        steps = {"telegram": 0, "slack": 2}
        approve_ms: list[float] = []
        answer_ms: list[float] = []
        missed = 0
        for n in range(args.tips):
            title, text, question = tip(n)
            sent = 0

            def say(line: str, command: str | None = None, n: int = n) -> str:
                nonlocal sent
                sent += 1
                m = Incoming(
                    ChatRef("telegram", "4242"), f"m{n}-{sent}", "4242", line, command=command, direct=True
                )
                return service.handle(m)[0].text

            say("", command="tip")
            for answer in (title, text, "-", "-"):
                last = say(answer)
            assert "moderator" in last, last
            steps["telegram"] = sent
            [sub] = queue.list(state="pending", limit=1)
            t1 = time.perf_counter()
            sub = queue.approve(sub.id, "slack", "UADMIN")
            t2 = time.perf_counter()
            answer = core.service.assistant.ask(question)
            t3 = time.perf_counter()
            approve_ms.append((t2 - t1) * 1000)
            answer_ms.append((t3 - t1) * 1000)
            if not answer.sources or answer.sources[0].path != sub.kb_path or answer.status != "answered":
                missed += 1
        chunks = rt.kb.stats().get("chunks")
    figures = {
        "corpus": str(args.data_dir or args.corpus),
        "documents": len(report.added),
        "chunks": chunks,
        "ingest_s": round(ingest_s, 2),
        "tips": args.tips,
        "approve_ms_median": round(statistics.median(approve_ms), 1),
        "approve_ms_max": round(max(approve_ms), 1),
        "approval_to_answer_ms_median": round(statistics.median(answer_ms), 1),
        "approval_to_answer_ms_max": round(max(answer_ms), 1),
        "answered_from_the_new_tip": args.tips - missed,
        "steps_telegram_messages": steps["telegram"],
        "steps_slack_actions": steps["slack"],
        "tip_fields": [f.name for f in FIELDS[TIP]],
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0 if missed == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
