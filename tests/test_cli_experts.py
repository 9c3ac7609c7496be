"""`verbinder experts add|list|import|remove` through typer's CliRunner."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from app.cli import app

runner = CliRunner()


def _run(tmp_path, *args: str):
    return runner.invoke(
        app, list(args), env={"VERBINDER_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}
    )


def test_add_list_remove(tmp_path):
    r = _run(
        tmp_path,
        "experts",
        "add",
        "Joost",
        "--telegram",
        "777",
        "--tags",
        "ouderen,dementie",
        "--regions",
        "Utrecht",
        "--languages",
        "nl,en",
        "--capacity",
        "2",
    )
    assert r.exit_code == 0, r.output
    [e] = json.loads(_run(tmp_path, "experts", "list", "--json").output)
    assert e["name"] == "Joost" and e["telegram"] == "777" and e["tags"] == ["ouderen", "dementie"]
    assert e["languages"] == ["nl", "en"] and e["capacity"] == 2 and e["available"]
    assert "Joost" in _run(tmp_path, "experts", "list").output
    assert _run(tmp_path, "experts", "remove", "joost").exit_code == 0
    assert json.loads(_run(tmp_path, "experts", "list", "--json").output) == []
    gone = _run(tmp_path, "experts", "remove", "joost")
    assert gone.exit_code == 1 and "no expert" in gone.output


def test_add_without_identity_is_a_clear_error(tmp_path):
    r = _run(tmp_path, "experts", "add", "Nobody")
    assert r.exit_code == 2 and "Slack user id" in r.output and "Traceback" not in r.output


def test_import_keeps_good_entries_and_reports_bad_ones(tmp_path):
    f = tmp_path / "experts.yaml"
    f.write_text(
        "experts:\n- name: Fatima\n  slack: U1\n  tags: [financiering, fondsen]\n"
        "- name: Bad\n  bogus: 1\n- just a string\n",
        encoding="utf-8",
    )
    r = _run(tmp_path, "experts", "import", str(f))
    assert r.exit_code == 1 and "1 experts imported" in r.output
    assert "bogus" in r.output and "not a mapping" in r.output
    [e] = json.loads(_run(tmp_path, "experts", "list", "--json").output)
    assert e["name"] == "Fatima" and e["slack"] == "U1"
    # Importing again updates instead of duplicating.
    f.write_text("- name: Fatima B.\n  slack: U1\n", encoding="utf-8")
    assert _run(tmp_path, "experts", "import", str(f)).exit_code == 0
    [e] = json.loads(_run(tmp_path, "experts", "list", "--json").output)
    assert e["name"] == "Fatima B."


def test_import_of_broken_yaml(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_text("- name: [unclosed\n", encoding="utf-8")
    r = _run(tmp_path, "experts", "import", str(f))
    assert r.exit_code == 2 and "cannot read YAML" in r.output
    f.write_bytes(b"\x00\xff\xfe binary")
    assert _run(tmp_path, "experts", "import", str(f)).exit_code == 2
    assert _run(tmp_path, "experts", "import", str(tmp_path / "missing.yaml")).exit_code == 2
    f.write_text("- name: Fatima\n  slack: U1\n  since: 2023-02-30\n", encoding="utf-8")
    r = _run(tmp_path, "experts", "import", str(f))
    assert r.exit_code == 2 and "invalid value in the YAML" in r.output and "Traceback" not in r.output
