"""Evaluation on a question set: retrieval recall/MRR, route balanced accuracy and evidence carried."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.answering.assistant import Assistant
from bot.messages import clean_text
from knowledge_base import text as T

# An answer carries the evidence when it holds this share of the evidence quote's content words.
CARRIED = 0.6


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
    evidence_carried: float | None = None  # of the answered answerable questions with an evidence quote
    evidence_n: int = 0
    by_kind: dict[str, Counter[str]] = field(default_factory=dict)  # kind -> outcome counts

    @property
    def route_balanced_accuracy(self) -> float:
        """Mean of: share of unanswerable routed, share of answerable not routed."""
        return (self.routed_unanswerable + self.answered_answerable) / 2

    @property
    def unanswerable_quoted(self) -> float:
        """Share of the unanswerable questions answered with a quote anyway."""
        return 1.0 - self.routed_unanswerable if self.unanswerable else 0.0


def carries(answer: str, evidence: str, threshold: float = CARRIED) -> bool:
    """Whether an answer text holds at least `threshold` of the evidence's content words."""
    wanted = set(T.content_words(evidence))
    if not wanted:
        return False
    have = set(T.words(answer))
    return len(wanted & have) / len(wanted) >= threshold


def _problem(item: object) -> str | None:
    """What is wrong with one parsed line, or None."""
    if not isinstance(item, dict):
        return "each line must be a JSON object"
    if "id" not in item or "question" not in item:
        return "needs at least 'id' and 'question'"
    if not isinstance(item["id"], str | int) or isinstance(item["id"], bool):
        return "'id' must be a string or a number"
    if not isinstance(item["question"], str) or not item["question"].strip():
        return "'question' must be a non-empty string"
    gold = item.get("gold", [])
    if (
        gold is not None
        and not isinstance(gold, str)
        and not (isinstance(gold, list) and all(isinstance(g, str) for g in gold))
    ):
        return "'gold' must be a document path or a list of paths (strings)"
    if "answerable" in item and not isinstance(item["answerable"], bool):
        return "'answerable' must be true or false"
    for key in ("evidence", "kind"):
        if item.get(key) is not None and not isinstance(item[key], str):
            return f"'{key}' must be a string"
    return None


def _clean(value: Any) -> Any:
    """Strings (also in lists) as valid Unicode; other values as they are."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def read_questions(path: Path) -> list[dict[str, Any]]:
    """Read and validate a JSONL file of {id, question, answerable, gold} (optionally evidence, kind);
    every bad line is reported with its number, and a file without questions is an error."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        where = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise EvalFormatError(f"line {where}: not valid UTF-8") from None
    except OSError as exc:
        raise EvalFormatError(f"cannot read the file ({exc.strerror or exc})") from None
    items, problems = [], []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {n}: not valid JSON ({exc.msg})")
            continue
        problem = _problem(item)
        if problem:
            problems.append(f"line {n}: {problem}")
            continue
        # JSON can carry lone surrogates ("\ud800"): text is made valid once, here, so printing the
        # table or writing --out never fails on a question's id, kind or text.
        item = {k: _clean(v) for k, v in item.items()}
        gold = item.get("gold") or []
        item["gold"] = [gold] if isinstance(gold, str) else list(gold)
        item.setdefault("answerable", bool(item["gold"]))
        items.append(item)
    if problems:
        raise EvalFormatError(
            "; ".join(problems[:20]) + (f" (and {len(problems) - 20} more)" if len(problems) > 20 else "")
        )
    if not items:
        raise EvalFormatError("no questions in the file")
    return items


def run_eval(
    assistant: Assistant, items: list[dict[str, Any]], mode: str = "hybrid"
) -> tuple[EvalResult, list[dict[str, Any]]]:
    """Ask every question through the chat pipeline and score the results."""
    rows = []
    r1 = r5 = rr = 0.0
    ans = unans = routed_unans = answered_ans = 0
    carried = with_evidence = 0
    by_kind: dict[str, Counter[str]] = {}
    for item in items:
        a = assistant.ask(item["question"], mode=mode)
        paths = list(dict.fromkeys(s.path for s in a.candidates))[:10]
        row: dict[str, Any] = {
            "id": item["id"],
            "sources": paths,
            "routed": a.routed,
            "outcome": a.outcome,
            "answer": a.answer,
            "features": dict(a.features),
        }
        gold = set(item.get("gold") or [])
        if item["answerable"]:
            ans += 1
            answered_ans += not a.routed
            ranks = [i for i, p in enumerate(paths) if p in gold]
            if ranks:
                r1 += ranks[0] < 1
                r5 += ranks[0] < 5
                rr += 1.0 / (ranks[0] + 1)
            if item.get("evidence") and not a.routed:
                with_evidence += 1
                row["carried"] = carries(a.answer, item["evidence"])
                carried += row["carried"]
        else:
            unans += 1
            routed_unans += a.routed
        kind = str(item.get("kind") or ("answerable" if item["answerable"] else "unanswerable"))
        by_kind.setdefault(kind, Counter())[a.outcome] += 1
        rows.append(row)
    res = EvalResult(
        n=len(items),
        answerable=ans,
        unanswerable=unans,
        recall_at_1=r1 / ans if ans else 0.0,
        recall_at_5=r5 / ans if ans else 0.0,
        mrr_at_10=rr / ans if ans else 0.0,
        routed_unanswerable=routed_unans / unans if unans else 0.0,
        answered_answerable=answered_ans / ans if ans else 0.0,
        evidence_carried=carried / with_evidence if with_evidence else None,
        evidence_n=with_evidence,
        by_kind=by_kind,
    )
    return res, rows
