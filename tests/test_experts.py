"""Expert profiles: registration and its validation, YAML import, lookup, removal, dates."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from adapters.slack.events import neutral_mentions
from bot.experts.directory import FOREVER, ExpertDirectory, ExpertError, parse_date
from storage.db import make_engine, migrate, session_factory

NOW = datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'experts.db'}")
    migrate(engine)
    yield ExpertDirectory(session_factory(engine), lambda: NOW)
    engine.dispose()


def test_add_with_defaults_and_normalised_lists(store):
    e = store.add(
        "  Fatima  ",
        slack_user_id=" UFAT ",
        expertise=" fondsen ",
        tags="Financiering; Fondsen, ",
        regions=["Utrecht", " "],
        languages="NL, English",
    )
    assert e.name == "Fatima" and e.slack_user_id == "UFAT" and e.telegram_user_id is None
    assert e.expertise == "fondsen" and e.tags == ("financiering", "fondsen") and e.regions == ("Utrecht",)
    assert e.languages == ("nl", "en") and e.capacity == 3 and not e.moderator
    joost = store.add("Joost", telegram_user_id=777)  # Telegram ids are numbers
    assert joost.telegram_user_id == "777" and joost.languages == ("nl",)
    assert [x.name for x in store.all()] == ["Fatima", "Joost"]
    assert store.by_identity("telegram", "777") == joost and store.by_identity("slack", "777") is None
    assert e.available(NOW) and e.identity("slack") == "UFAT" and e.identity("telegram") is None


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"name": "", "slack_user_id": "U1"}, "needs a name"),
        ({"name": "   ", "slack_user_id": "U1"}, "needs a name"),
        ({"name": "Ann"}, "Slack user id and/or a Telegram user id"),
        ({"name": "Ann", "slack_user_id": "", "telegram_user_id": None}, "Slack user id"),
        ({"name": "Ann", "slack_user_id": "   ", "update": True}, "Slack user id"),  # blank is no id
        ({"name": "Ann", "slack_user_id": "U1", "capacity": 0}, "capacity"),
        ({"name": "Ann", "slack_user_id": "U1", "capacity": 101}, "capacity"),
        ({"name": "Ann", "slack_user_id": "U1", "tags": {"a": 1}}, "expected a list"),
    ],
)
def test_add_refuses_incomplete_experts(store, kw, message):
    name = kw.pop("name")
    with pytest.raises(ExpertError, match=message):
        store.add(name, **kw)
    assert store.all(include_inactive=True) == []


def test_a_blank_id_never_updates_another_expert(store):
    anna = store.add("Anna", slack_user_id="UANNA")
    with pytest.raises(ExpertError, match="Slack user id"):
        store.add("Bob", slack_user_id="  ", update=True)
    assert [(e.name, e.slack_user_id) for e in store.all()] == [("Anna", "UANNA")] and anna.id


def test_a_platform_identity_belongs_to_one_expert(store):
    first = store.add("Fatima", slack_user_id="U1", telegram_user_id="11")
    with pytest.raises(ExpertError, match="already registered to Fatima"):
        store.add("Impostor", slack_user_id="U1")
    with pytest.raises(ExpertError, match="already registered to Fatima"):
        store.add("Impostor", telegram_user_id="11")
    # update=True changes the existing profile instead (same id).
    again = store.add("Fatima B.", slack_user_id="U1", telegram_user_id="11", tags="dans", update=True)
    assert again.id == first.id and again.name == "Fatima B." and again.tags == ("dans",)
    # Another expert's Telegram id cannot be taken over through an update either.
    store.add("Joost", telegram_user_id="22")
    with pytest.raises(ExpertError, match="already in use"):
        store.add("Fatima B.", slack_user_id="U1", telegram_user_id="22", update=True)
    assert store.get(first.id).telegram_user_id == "11"
    assert len(store.all()) == 2


GOOD_YAML = """
experts:
  - name: Fatima
    slack: UFAT
    expertise: financiering en fondsen
    tags: [financiering, fondsen]
    sectors: [Kunst & Cultuur]
  - name: Joost
    telegram: 777
    regions: Utrecht, Amersfoort
    languages: [nl, en]
    capacity: 5
    moderator: true
"""


def test_import_yaml(store, tmp_path):
    path = tmp_path / "experts.yaml"
    path.write_text(GOOD_YAML, encoding="utf-8")
    done, errors = store.import_yaml(path)
    assert errors == [] and [e.name for e in done] == ["Fatima", "Joost"]
    fatima, joost = store.find("Fatima"), store.find("Joost")
    assert fatima.tags == ("financiering", "fondsen") and fatima.sectors == ("Kunst & Cultuur",)
    assert joost.telegram_user_id == "777" and joost.regions == ("Utrecht", "Amersfoort")
    assert joost.languages == ("nl", "en") and joost.capacity == 5 and joost.moderator
    # Importing again updates in place; a bare list works too.
    path.write_text("- {name: Fatima Z., slack_user_id: UFAT, tags: dans}\n", encoding="utf-8")
    done, errors = store.import_yaml(path)
    assert errors == [] and done[0].id == fatima.id
    assert [e.name for e in store.all()] == ["Fatima Z.", "Joost"] and store.find("UFAT").tags == ("dans",)


def test_import_yaml_keeps_the_valid_entries_and_names_the_bad_ones(store, tmp_path):
    path = tmp_path / "experts.yaml"
    path.write_text(
        """
- name: Goed
  slack: UGOOD
- name: Typo
  slack: UTYPO
  expertse: dementie
- just a string
- name: Niemand
- slack: UNONAME
- name: Veel
  slack: UVEEL
  capacity: veel
- name: Ook goed
  telegram: 5
""",
        encoding="utf-8",
    )
    done, errors = store.import_yaml(path)
    assert [e.name for e in done] == ["Goed", "Ook goed"]
    assert [e.name for e in store.all(include_inactive=True)] == ["Goed", "Ook goed"]
    assert len(errors) == 5
    assert "entry 2 (Typo)" in errors[0] and "expertse" in errors[0]
    assert errors[1] == "entry 3: not a mapping"
    assert errors[2].startswith("entry 4") and "Slack user id" in errors[2]
    assert errors[3].startswith("entry 5") and "name" in errors[3]
    assert errors[4].startswith("entry 6") and "veel" in errors[4]


def test_import_yaml_refuses_a_moderator_flag_that_is_not_true_or_false(store, tmp_path):
    path = tmp_path / "experts.yaml"
    path.write_text("- {name: Ann, slack: UANN, moderator: nee}\n- {name: Bo, slack: UBO, moderator: no}\n")
    done, errors = store.import_yaml(path)
    assert [e.name for e in done] == ["Bo"] and not done[0].moderator
    [error] = errors
    assert error.startswith("entry 1") and "moderator" in error
    assert store.find("Ann") is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("- name: [unclosed\n", "cannot read YAML"),
        ("name: Fatima\nslack: U1\n", "expected a list"),
        ("experts: {name: Fatima}\n", "expected a list"),
        ("", "expected a list"),
        ("just text\n", "expected a list"),
    ],
)
def test_import_yaml_that_is_not_a_list_of_experts(store, tmp_path, content, message):
    path = tmp_path / "experts.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ExpertError, match=message) as exc:
        store.import_yaml(path)
    assert str(path) in str(exc.value)
    assert store.all(include_inactive=True) == []


def test_import_yaml_missing_or_binary_file(store, tmp_path):
    with pytest.raises(ExpertError, match="cannot read YAML"):
        store.import_yaml(tmp_path / "missing.yaml")
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ExpertError, match="cannot read YAML"):
        store.import_yaml(path)


def test_find_by_id_identity_mention_and_name(store):
    fatima = store.add("Fatima El Amrani", slack_user_id="UFAT")
    joost = store.add("Joost", telegram_user_id="777")
    store.add("Joanna", slack_user_id="UJOA")
    assert store.find(str(fatima.id)) == fatima
    assert store.find("UFAT") == fatima and store.find("@UFAT") == fatima
    # A Slack mention reaches the core as @<user id> (the Slack adapter translates it).
    assert store.find(neutral_mentions("<@UFAT>")) == fatima
    assert store.find(neutral_mentions("<@UFAT|fatima>")) == fatima
    assert store.find("777") == joost
    assert store.find("fatima el amrani") == fatima and store.find(" Fatima ") == fatima  # unique prefix
    assert store.find("joost") == joost  # the exact name wins over the prefix shared with Joanna
    assert store.find("Jo") is None  # ambiguous
    assert store.find("Nobody") is None


def test_remove_deactivates_and_keeps_history(store):
    fatima = store.add("Fatima", slack_user_id="UFAT")
    assert store.remove("Nobody") is None
    assert store.remove("fatima") == fatima
    assert store.all() == [] and store.find("Fatima") is None and store.by_identity("slack", "UFAT") is None
    assert store.get(fatima.id).name == "Fatima"  # still known for past answers
    assert store.remove("Fatima") is None
    with pytest.raises(ExpertError, match="already registered"):
        store.add("Fatima", slack_user_id="UFAT")
    back = store.add("Fatima", slack_user_id="UFAT", update=True)
    assert back.id == fatima.id and store.all() == [back]


def test_away_and_expertise(store):
    e = store.add("Sanne", slack_user_id="USAN", expertise="muziek", tags="muziek")
    store.set_away(e.id, datetime(2026, 3, 10))
    sanne = store.get(e.id)
    assert not sanne.available(NOW) and sanne.available(datetime(2026, 3, 10))
    store.set_away(e.id, FOREVER)
    assert not store.get(e.id).available(datetime(2100, 1, 1))
    store.set_away(e.id, None)
    assert store.get(e.id).available(NOW)
    assert store.set_expertise(e.id, tags="Zang, Koren").tags == ("zang", "koren")
    assert store.get(e.id).expertise == "muziek"
    assert store.set_expertise(e.id, expertise=" koren ").expertise == "koren"
    assert store.get(e.id).tags == ("zang", "koren")
    assert store.set_expertise(9999, expertise="x") is None
    store.set_away(9999, None)  # unknown id: nothing happens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-24", datetime(2026, 12, 24)),
        ("tot 2026-12-24", datetime(2026, 12, 24)),
        ("until 2026-12-24", datetime(2026, 12, 24)),
        ("  Tot 2026-1-5 ", datetime(2026, 1, 5)),
        ("24-12-2026", datetime(2026, 12, 24)),
        ("24/12/26", datetime(2026, 12, 24)),
        ("24.12", datetime(2026, 12, 24)),
        ("24-12", datetime(2026, 12, 24)),
        ("2-3", datetime(2026, 3, 2)),  # today still counts as this year
        ("1-3", datetime(2027, 3, 1)),  # yesterday: the next 1 March
        ("1-3-2026", datetime(2026, 3, 1)),  # an explicit year is taken as given
        ("31-02", None),
        ("2026-13-01", None),
        ("morgen", None),
        ("24 december", None),
        ("", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text, NOW) == expected


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"telegram_user_id": "abc"}, "telegram user id 'abc' is not a Telegram user id: digits only"),
        ({"telegram_user_id": "1.5"}, "telegram user id '1.5' is not"),
        ({"telegram_user_id": [1, 2]}, r"telegram user id \[1, 2\] is not"),
        ({"slack_user_id": "jan"}, "slack user id 'jan' is not a Slack member id"),
        ({"slack_user_id": "U1", "capacity": "veel"}, "capacity 'veel' must be a whole number"),
        ({"slack_user_id": "U1", "capacity": 1.5}, "capacity 1.5 must be a whole number"),
    ],
)
def test_identities_and_capacity_are_validated_with_the_field_named(store, kw, message):
    with pytest.raises(ExpertError, match=message):
        store.add("Ann", **kw)
    assert store.all(include_inactive=True) == []


def test_two_experts_cannot_share_a_name_so_remove_by_name_works(store):
    store.add("Joost", telegram_user_id="22")
    with pytest.raises(ExpertError, match="another expert already has this name"):
        store.add("joost", slack_user_id="U9")
    assert store.remove("Joost") is not None


def test_a_duplicate_identity_in_one_file_is_reported_by_entry(store, tmp_path):
    path = tmp_path / "experts.yaml"
    path.write_text(
        "- {name: A, telegram_user_id: 1}\n- {name: B, telegram_user_id: 2}\n"
        "- {name: C, telegram_user_id: 1}\n- {name: D, telegram_user_id: abc}\n",
        encoding="utf-8",
    )
    done, errors = store.import_yaml(path)
    assert [e.name for e in done] == ["A", "B"]
    assert errors[0].startswith("entry 3 (C): telegram user id 1 is also entry 1")
    assert errors[1].startswith("entry 4: D: telegram user id 'abc' is not")
