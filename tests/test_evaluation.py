"""Evaluation metrics on a scripted assistant, and the question-file format."""

from __future__ import annotations

import json

import pytest

from bot.answering.assistant import Answer
from bot.answering.evaluation import EvalFormatError, carries, read_questions, run_eval
from bot.messages import Source


class ScriptedAssistant:
    """Returns prepared candidates and routing per question."""

    def __init__(self, script: dict[str, tuple[list[str], bool]]) -> None:
        self.script = script
        self.modes: list[str] = []

    def ask(self, question: str, mode: str = "hybrid") -> Answer:
        self.modes.append(mode)
        paths, routed = self.script[question]
        cands = tuple(Source(p, p, None, "document", 1.0) for p in paths)
        return Answer(
            question,
            "antwoord",
            routed,
            "nl",
            (),
            cands,
            "routed" if routed else "answered",
            (("reason", "ok"),),
        )


def _items(*rows: dict) -> list[dict]:
    for r in rows:
        r.setdefault("gold", [])
        r.setdefault("answerable", bool(r["gold"]))
    return list(rows)


def test_metrics():
    items = _items(
        {"id": 1, "question": "a", "gold": ["x"]},  # rank 1, answered
        {"id": 2, "question": "b", "gold": ["y", "z"]},  # first gold at rank 3, answered
        {"id": 3, "question": "c", "gold": ["w"]},  # rank 7, routed (wrong)
        {"id": 4, "question": "d", "gold": ["v"]},  # not found, answered
        {"id": 5, "question": "e"},  # unanswerable, routed (right)
        {"id": 6, "question": "f"},  # unanswerable, answered (wrong)
    )
    bot = ScriptedAssistant(
        {
            "a": (["x", "q"], False),
            "b": (["q", "r", "z", "y"], False),
            "c": (["1", "2", "3", "4", "5", "6", "w"], True),
            "d": (["q"], False),
            "e": (["q"], True),
            "f": ([], False),
        }
    )
    res, rows = run_eval(bot, items, mode="lexical")
    assert bot.modes == ["lexical"] * 6
    assert (res.n, res.answerable, res.unanswerable) == (6, 4, 2)
    assert res.recall_at_1 == pytest.approx(1 / 4)
    assert res.recall_at_5 == pytest.approx(2 / 4)
    assert res.mrr_at_10 == pytest.approx((1 + 1 / 3 + 1 / 7) / 4)
    assert res.answered_answerable == pytest.approx(3 / 4)
    assert res.routed_unanswerable == pytest.approx(1 / 2)
    assert res.route_balanced_accuracy == pytest.approx((3 / 4 + 1 / 2) / 2)
    assert [r["id"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert rows[1]["sources"] == ["q", "r", "z", "y"]
    assert set(rows[0]) == {"id", "sources", "routed", "outcome", "answer", "features"}
    assert [r["outcome"] for r in rows] == ["answer", "answer", "route", "answer", "route", "answer"]


def test_sources_are_deduplicated_and_cut_at_ten():
    bot = ScriptedAssistant({"a": ([f"d{i % 12}" for i in range(30)], False)})
    _, rows = run_eval(bot, _items({"id": 1, "question": "a", "gold": ["d11"]}))
    assert rows[0]["sources"] == [f"d{i}" for i in range(10)]


def test_empty_question_set():
    res, rows = run_eval(ScriptedAssistant({}), [])
    assert rows == [] and res.n == 0 and res.route_balanced_accuracy == 0.0


def test_read_questions_defaults_and_blank_lines(tmp_path):
    p = tmp_path / "q.jsonl"
    p.write_text(
        json.dumps({"id": "a", "question": "Wat?", "gold": ["x.md"]})
        + "\n\n"
        + json.dumps({"id": "b", "question": "Wie?"})
        + "\n"
        + json.dumps({"id": "c", "question": "Hoe?", "gold": ["y.md"], "answerable": False})
        + "\n",
        encoding="utf-8",
    )
    items = read_questions(p)
    assert [i["id"] for i in items] == ["a", "b", "c"]
    assert items[0]["answerable"] is True
    assert items[1]["answerable"] is False and items[1]["gold"] == []
    assert items[2]["answerable"] is False  # explicit value wins


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("niet json\n", "line 1: not valid JSON"),
        ('{"id": 1, "question": "a"}\n\n{"id": 2}\n', "line 3: needs at least 'id' and 'question'"),
        ('"alleen een string"\n', "line 1: each line must be a JSON object"),
        ('{"id": 1, "question": "a", "gold": 5}\n', "line 1: 'gold' must be a document path or a list"),
        ('{"id": 1, "question": "a", "gold": [{"a": 1}]}\n', "line 1: 'gold' must be"),
        ('{"id": 1, "question": 12345}\n', "line 1: 'question' must be a non-empty string"),
        ('{"id": 1, "question": null}\n', "line 1: 'question' must be a non-empty string"),
        ('{"id": 1, "question": "a", "answerable": "no"}\n', "line 1: 'answerable' must be true or false"),
        ("", "no questions in the file"),
        ("\n\n", "no questions in the file"),
        ('{"id": 1, "question": "a"}\nkapot\n{"id": 3, "question": 4}\n', "line 2: .*; line 3: "),
    ],
)
def test_read_questions_errors(tmp_path, content, message):
    p = tmp_path / "q.jsonl"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(EvalFormatError, match=message):
        read_questions(p)


def test_read_questions_reports_invalid_utf8_with_its_line(tmp_path):
    p = tmp_path / "q.jsonl"
    p.write_bytes(b'{"id": 1, "question": "a"}\n{"id": 2, "question": "\xff"}\n')
    with pytest.raises(EvalFormatError, match="line 2: not valid UTF-8"):
        read_questions(p)


def test_gold_as_a_string_is_not_silently_misscored(tmp_path):
    p = tmp_path / "q.jsonl"
    p.write_text(json.dumps({"id": 1, "question": "a", "gold": "a.md"}) + "\n", encoding="utf-8")
    try:
        items = read_questions(p)
    except EvalFormatError:
        return
    res, _ = run_eval(ScriptedAssistant({"a": (["a.md"], False)}), items)
    assert res.recall_at_1 == 1.0


def test_questions_file_with_bom(tmp_path):
    p = tmp_path / "q.jsonl"
    p.write_bytes("\ufeff".encode() + json.dumps({"id": 1, "question": "Wat?"}).encode() + b"\n")
    assert read_questions(p)[0]["id"] == 1


def test_evidence_carried_counts_answered_answerable_questions_with_an_evidence_quote():
    items = _items(
        {"id": 1, "question": "a", "gold": ["x"], "evidence": "Het koor repeteert elke dinsdag in De Linde."},
        {
            "id": 2,
            "question": "b",
            "gold": ["x"],
            "evidence": "Structurele financiering is nog niet beschikbaar.",
        },
        {
            "id": 3,
            "question": "c",
            "gold": ["x"],
            "evidence": "Dit wordt niet gevraagd, want de vraag is doorgezet.",
        },
        {"id": 4, "question": "d", "gold": ["x"]},  # no evidence quote: not counted
        {"id": 5, "question": "e", "kind": "missing_attribute"},
    )
    answers = {
        "a": "“Het koor repeteert op dinsdag in buurthuis De Linde.”",
        "b": "“Gemeenten financieren het.”",
    }

    class Quoting(ScriptedAssistant):
        def ask(self, question: str, mode: str = "hybrid") -> Answer:
            base = super().ask(question, mode)
            return Answer(question, answers.get(question, "antwoord"), base.routed, "nl", (), base.candidates)

    bot = Quoting({q: (["x"], q in ("c", "e")) for q in "abcde"})
    res, rows = run_eval(bot, items)
    assert res.evidence_n == 2 and res.evidence_carried == pytest.approx(1 / 2)
    assert [r.get("carried") for r in rows] == [True, False, None, None, None]
    assert res.unanswerable_quoted == 0.0
    assert res.by_kind["missing_attribute"] == {"route": 1} and res.by_kind["answerable"]["answer"] == 3


@pytest.mark.parametrize(
    ("answer", "evidence", "carried"),
    [
        ("Het koor repeteert op dinsdag in De Linde.", "Het koor repeteert elke dinsdag in De Linde.", True),
        ("Het koor zingt.", "Het koor repeteert elke dinsdag in De Linde.", False),  # 1 of 4 content words
        ("anything", "", False),  # no content words to carry
        ("The tour lasts ninety minutes", "Each tour lasts ninety minutes.", True),
    ],
)
def test_carries(answer, evidence, carried):
    assert carries(answer, evidence) is carried
