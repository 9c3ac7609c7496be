"""Does the expert matcher generalise better when it learns from more writers' worlds? Leave one out.

    python bench/analysis/leave_world_out.py

Every world but the blind ones is read once (signals of every question against its world's
profiles). For each world W, the ranking model and the minimum-fit gate are
fitted as bench/train_matching.py fits them, on world_a alone ("base", what ships since stop 19)
and on world_a plus every other world but W ("pooled"), and both are scored on W: top-1, top-2 and
paraphrase top-1. The weights are over signals, not experts, so another world's questions teach
the same weights. The bridge of labelled members' questions (bot/experts/bridge.py) never holds
the questions of the world being read.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import train_matching as TM  # noqa: E402
from bench_matching import NOW  # noqa: E402

from bot.experts.matching import default_bridge, default_spaces  # noqa: E402
from bot.experts.signals import bridge_signals, feature_names  # noqa: E402
from bot.experts.themes import described  # noqa: E402


def main() -> int:
    logging.disable(logging.INFO)
    spaces = default_spaces(with_wordllama=False)
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
            z, nofit = bridge_signals(b, space, vector, described_of[world])
            rows = [dict(r, e5_bridge_z=float(z[i]), e5_bridge_nofit=nofit) for i, r in enumerate(rows)]
            out.append((q, rows, labels))
        return out

    pool_names = {
        n: [[e.name for e in experts if e.available(NOW)] for _ in questions]
        for n, (experts, questions) in sets.items()
    }
    features = feature_names(["e5"])
    # world_a's rows never held a held world's labels in the bridge either
    base_for = {held: TM.train(rebridged("world_a", held), features) for held in names if held != "world_a"}
    head = "top-1 / top-2 / para / kept / held"
    print(f"{'world':<9} {'n':>4}  {'base ' + head:>40}  {'pooled ' + head:>42}")
    sums = {"base": [0] * 8, "pooled": [0] * 8}
    for held in names:
        pooled = TM.train([d for n in names if n != held for d in rebridged(n, held)], features)
        cells = []
        for key, (model, gate) in (("base", base_for.get(held, pooled)), ("pooled", pooled)):
            if key == "base" and held == "world_a":  # base is fitted on world_a itself
                cells.append("-")
                continue
            rows = TM.ranks(model, gate, data[held], pool_names[held])
            fit = [r for r in rows if r["fits"]]
            nofit = [r for r in rows if not r["fits"]]
            para = [r for r in fit if r["kind"] == "paraphrase"]
            t1 = sum(r["rank"] == 1 for r in fit)
            t2 = sum(bool(r["rank"]) and r["rank"] <= 2 for r in fit)
            p1 = sum(r["rank"] == 1 for r in para)
            kept = sum(r["top_p"] >= gate.threshold for r in fit)
            hold = sum(r["top_p"] < gate.threshold for r in nofit)
            values = (t1, t2, len(fit), p1, len(para), kept, hold, len(nofit))
            if held != "world_a":  # the totals compare base and pooled on the same worlds
                for i, v in enumerate(values):
                    sums[key][i] += v
            cells.append(
                f"{t1 / len(fit):.3f} / {t2 / len(fit):.3f} / {p1:>2}/{len(para):<2} / "
                f"{kept / len(fit):.3f} / {hold}/{len(nofit)}"
            )
        print(f"{held:<9} {len(fit):>4}  {cells[0]:>40}  {cells[1]:>42}", flush=True)
    print("totals over the worlds but world_a:")
    for key, (t1, t2, n, p1, pn, kept, hold, nn) in sums.items():
        print(
            f"  {key}: top-1 {t1 / n:.3f}, top-2 {t2 / n:.3f}, paraphrase {p1}/{pn} = {p1 / (pn or 1):.3f},"
            f" fit kept {kept / n:.3f}, no-fit held {hold}/{nn}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
