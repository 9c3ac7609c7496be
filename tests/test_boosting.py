"""The boosted trees of the answerability decision and their blend with the logistic model."""

from __future__ import annotations

import json

import numpy as np
import pytest

from knowledge_base.boosting import Blend, TreeEnsemble, blend_threshold, fit_trees, load_decision
from knowledge_base.calibration import DECISION_MODEL, LogisticModel, fit


def _band_rows(n: int = 400) -> tuple[list[dict[str, float]], list[int]]:
    """Answerable only when a signal lies in a middle band (neither almost nothing nor everything):
    a rule no weighted sum draws, plus a feature of noise."""
    rng = np.random.default_rng(5)
    rows = [{"x": float(rng.uniform()), "noise": float(rng.normal())} for _ in range(n)]
    return rows, [int(0.3 < r["x"] < 0.7) for r in rows]


def test_trees_learn_a_band_where_a_sum_cannot():
    rows, labels = _band_rows()
    trees = fit_trees(rows, labels, ["x", "noise"], n_trees=100, rate=0.3, min_leaf=10)
    logistic = fit(rows, labels, ["x", "noise"], l2=1.0)
    cases = [({"x": 0.1}, 0), ({"x": 0.5}, 1), ({"x": 0.9}, 0)]
    assert all((trees.probability(x) > 0.5) == bool(y) for x, y in cases)
    assert not all((logistic.probability(x) > 0.5) == bool(y) for x, y in cases)


def test_trees_are_deterministic_and_survive_a_round_trip(tmp_path):
    rows, labels = _band_rows(200)
    one = fit_trees(rows, labels, ["x", "noise"], n_trees=30, min_leaf=10)
    two = fit_trees(rows, labels, ["x", "noise"], n_trees=30, min_leaf=10)
    assert one.trees == two.trees
    one.meta = {"blend_threshold": 0.55}
    one.save(tmp_path / "t.json")
    again = TreeEnsemble.load(tmp_path / "t.json")
    assert again.meta == {"blend_threshold": 0.55} and len(again.trees) == 30
    for x in rows[:20]:
        assert abs(again.probability(x) - one.probability(x)) < 1e-5
    assert max(len(t) for t in json.loads((tmp_path / "t.json").read_text())["trees"]) <= 7  # depth 2


def test_a_leaf_needs_its_minimum_of_examples():
    rows = [{"x": float(i)} for i in range(12)]
    labels = [int(i == 11) for i in range(12)]  # one odd example cannot get a leaf of its own
    trees = fit_trees(rows, labels, ["x"], n_trees=5, min_leaf=5)
    assert all(t[0][0] < 0 or 4 <= t[0][1] <= 7 for t in trees.trees)  # 5 examples on each side


def test_the_blend_averages_both_and_its_threshold_comes_from_held_out_folds():
    rows, labels = _band_rows(200)
    features = ["x", "noise"]
    blend = Blend(fit(rows, labels, features, 1.0), fit_trees(rows, labels, features, n_trees=50), 0.5)
    x = rows[0]
    z = (blend.logistic.logit(x) + blend.trees.logit(x)) / 2
    assert blend.probability(x) == pytest.approx(1 / (1 + np.exp(-z)))
    assert blend.features == sorted(features)
    t, bacc = blend_threshold(rows, labels, features, 1.0, [i % 5 for i in range(len(rows))])
    assert 0.0 < t < 1.0 and bacc > 0.6


def test_without_a_trees_file_the_logistic_model_decides_alone(tmp_path):
    alone = load_decision(DECISION_MODEL, tmp_path / "absent.json")
    assert isinstance(alone, LogisticModel)
    shipped = load_decision(DECISION_MODEL)
    assert isinstance(shipped, Blend) and 0.0 < shipped.threshold < 1.0
    assert load_decision(tmp_path / "no-model.json") is None


def test_many_rows_at_once_score_as_one_at_a_time():
    rows, labels = _band_rows(300)
    trees = fit_trees(rows, labels, ["x", "noise"], n_trees=40, min_leaf=10)
    together = trees.logits(rows)
    assert np.allclose(together, [trees.logit(r) for r in rows]) and len(trees.logits([])) == 0


def test_a_damaged_trees_file_is_logged_and_the_logistic_model_decides(tmp_path, caplog):
    logistic = tmp_path / "answerability_model.json"
    logistic.write_bytes(DECISION_MODEL.read_bytes())
    (tmp_path / "answerability_trees.json").write_text('{"features": ["x"], "trees": [[[', encoding="utf-8")
    with caplog.at_level("WARNING"):
        model = load_decision(logistic)
    assert isinstance(model, LogisticModel) and "damaged model file" in caplog.text
    (tmp_path / "answerability_trees.json").write_text(
        json.dumps({"features": ["x"], "base": 0.0, "rate": 0.1, "trees": [[[5, 0.5, 1, 2, 0.0]]]}),
        encoding="utf-8",
    )  # a node that reads a feature the file does not name
    assert isinstance(load_decision(logistic), LogisticModel)


def test_trees_come_from_beside_the_model_they_were_trained_with(tmp_path):
    logistic = tmp_path / "answerability_model.json"
    logistic.write_bytes(DECISION_MODEL.read_bytes())
    assert isinstance(load_decision(logistic), LogisticModel)  # no trees beside this copy
