"""Evaluation on a question set: retrieval recall/MRR and route balanced accuracy."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from bot.answering.assistant import Assistant


class EvalFormatError(ValueError):
    """The questions file is not in the expected JSONL format."""


@dataclass
class EvalResult:
    """Aggregated figures of one run."""

    n: int
    answerable: int
    unanswerable: int
    recall_at_1: float
    recall_at_5: float
    mrr_at_10: float
    routed_unanswerable: float
    answered_answerable: float

    @property
    def route_balanced_accuracy(self) -> float:
        """Mean of: share of unanswerable routed, share of answerable not routed."""
        return (self.routed_unanswerable + self.answered_answerable) / 2


def read_questions(path: Path) -> list[dict]:
    """Read and validate a JSONL file of {id, question, answerable, gold}."""
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalFormatError(f"line {n}: not valid JSON ({exc.msg})") from exc
        if not isinstance(item, dict) or "question" not in item or "id" not in item:
            raise EvalFormatError(f"line {n}: needs at least 'id' and 'question'")
        gold = item.get("gold") or []
        item["gold"] = [gold] if isinstance(gold, str) else list(gold)
        item.setdefault("answerable", bool(item["gold"]))
        items.append(item)
    return items


def run_eval(assistant: Assistant, items: list[dict], mode: str = "hybrid") -> tuple[EvalResult, list[dict]]:
    """Ask every question through the chat pipeline and score the results."""
    rows = []
    r1 = r5 = rr = 0.0
    ans = unans = routed_unans = answered_ans = 0
    for item in items:
        a = assistant.ask(item["question"], mode=mode)
        paths = list(dict.fromkeys(s.path for s in a.candidates))[:10]
        rows.append(
            {
                "id": item["id"],
                "sources": paths,
                "routed": a.routed,
                "answer": a.answer,
                "features": dict(a.features),
            }
        )
        gold = set(item.get("gold") or [])
        if item["answerable"]:
            ans += 1
            answered_ans += not a.routed
            ranks = [i for i, p in enumerate(paths) if p in gold]
            if ranks:
                r1 += ranks[0] < 1
                r5 += ranks[0] < 5
                rr += 1.0 / (ranks[0] + 1)
        else:
            unans += 1
            routed_unans += a.routed
    res = EvalResult(
        n=len(items),
        answerable=ans,
        unanswerable=unans,
        recall_at_1=r1 / ans if ans else 0.0,
        recall_at_5=r5 / ans if ans else 0.0,
        mrr_at_10=rr / ans if ans else 0.0,
        routed_unanswerable=routed_unans / unans if unans else 0.0,
        answered_answerable=answered_ans / ans if ans else 0.0,
    )
    return res, rows
