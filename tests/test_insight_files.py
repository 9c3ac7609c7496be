"""The report's files and the `verbinder report` command: charts that are real pictures, a CSV that
hides who asked, the small-group rule for experts, and clear messages for bad or empty input."""

from __future__ import annotations

import csv
import io
import json
import re
import struct
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy.orm import Session, sessionmaker
from test_insight import END, NOW, START, synthetic_month, write
from typer.testing import CliRunner

from app.cli import app
from bot.insight import charts
from bot.insight.figures import WeeksError, compute, period
from bot.insight.report import Reports
from bot.privacy.pseudonyms import Pseudonyms
from storage.db import open_database

runner = CliRunner()


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    return open_database(f"sqlite:///{tmp_path / 'insight.db'}")


def test_fewer_than_five_experts_are_never_shown_one_by_one(sessions: sessionmaker[Session]) -> None:
    m = synthetic_month(experts=4)
    write(sessions, m)
    f = compute(sessions, 4, clock=lambda: NOW)
    assert f.experts_active == 4 and f.experts == ()
    text = Reports(sessions, clock=lambda: NOW).build(4).text("nl")
    assert "Per expert: niet getoond (4 experts gaven antwoord, minder dan 5)." in text
    png = charts.times_png(f)
    assert Image.open(io.BytesIO(png)).size == (charts.WIDTH, charts.HEIGHT)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_the_charts_are_real_pictures_of_the_right_size(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    write(sessions, synthetic_month())
    report = Reports(sessions, clock=lambda: NOW).build(4)
    files = report.charts("nl")
    assert [f.mime for f in files] == ["image/png", "image/png"]
    for f in files:
        path = tmp_path / f.name
        path.write_bytes(f.data)
        assert path.exists() and png_size(path.read_bytes()) == (1000, 500)
        image = Image.open(path).convert("RGB")
        pixels = np.asarray(image).reshape(-1, 3)
        colours = len({tuple(p) for p in pixels[::7].tolist()})
        ink = float((pixels.min(axis=1) < 200).mean())
        assert colours > 30, f"{f.name}: {colours} colours"
        assert ink > 0.03, f"{f.name}: only {ink:.1%} of the pixels are drawn"


def test_the_csv_has_every_question_of_the_period_and_no_id_or_name(sessions: sessionmaker[Session]) -> None:
    m = synthetic_month()
    write(sessions, m)
    reports = Reports(sessions, pseudonyms=Pseudonyms(sessions, "test-key"), clock=lambda: NOW)
    attachment, n = reports.csv(reports.build(4).figures)
    inside = [q for q in m.questions if START <= q["created_at"] < END]
    assert attachment.mime == "text/csv" and n == len(inside)
    raw = attachment.data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert len(rows) == len(inside)
    for row in rows:  # every id is a pseudonym: 16 hex characters, or empty (no follow-up, no expert)
        for column in ("question", "follow_up_of", "asker", "expert"):
            assert re.fullmatch(r"([0-9a-f]{16})?", row[column]), (column, row[column])
        assert row["question"] and row["asker"]
    for q in m.questions:  # no chat id, message id, name or text of anyone anywhere
        for value in (q["chat_id"], q["user_name"], q["text"], f"m{q['id']}"):
            assert value not in raw, value
    assert "Expert Naam" not in raw and "UEXP" not in raw
    same = [
        r["asker"]
        for r, q in zip(rows, sorted(inside, key=lambda q: (q["created_at"], q["id"])), strict=True)
        if q["user_id"] == inside[0]["user_id"] and q["platform"] == inside[0]["platform"]
    ]
    assert len(set(same)) == 1 and len(same[0]) == 16  # one asker, one stable pseudonym
    assert Counter(r["outcome"] for r in rows)["expert"] == sum(
        1 for q in inside for r in m.routings if r["question_id"] == q["id"] and r["answered_at"]
    )


def test_weeks_outside_one_to_fifty_two_are_refused(sessions: sessionmaker[Session]) -> None:
    for weeks in (0, -1, 53, 10**6):
        with pytest.raises(WeeksError, match="between 1 and 52"):
            period(weeks, NOW)
    assert period(1, NOW) == ("2026-W48",)


def test_an_empty_database_has_nothing_to_report_yet(sessions: sessionmaker[Session]) -> None:
    report = Reports(sessions, clock=lambda: NOW).build(4)
    assert report.empty
    assert (
        report.text("nl")
        == "Nog niets te melden: in 2 november – 29 november 2026 is nog geen vraag gesteld."
    )
    assert report.text("en").startswith("Nothing to report yet")


def verbinder(data: Path, *args: str) -> object:
    env = {"VERBINDER_DATA_DIR": str(data), "VERBINDER_SAMPLE_KB": "false"}
    return runner.invoke(app, ["report", *args], env=env)


@pytest.fixture
def cli_month(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data directory with the synthetic month, and the command's clock on its Wednesday after."""
    data = tmp_path / "data"
    data.mkdir()
    write(open_database(f"sqlite:///{(data / 'verbinder.db').resolve()}"), synthetic_month())
    monkeypatch.setattr("app.cli_report.utcnow", lambda: NOW)
    return data


def test_verbinder_report_prints_the_report_and_writes_charts_and_csv(
    cli_month: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    done = verbinder(cli_month, "--weeks", "4", "--out", str(out))
    assert done.exit_code == 0, done.output
    assert "Rapport voor moderators: 2 november – 29 november 2026" in done.output
    assert "expert: /expert " in done.output and "kennisbank: /tip " in done.output  # the commands per gap
    written = sorted(p.name for p in out.iterdir())
    assert written == [
        "reactietijden-2026-W45_2026-W48.png",
        "vragen-2026-W45_2026-W48.csv",
        "vragen-per-week-2026-W45_2026-W48.png",
    ]
    for name in written:
        assert f"written: {out / name}" in done.output
    assert png_size((out / written[0]).read_bytes()) == (1000, 500)
    english = verbinder(cli_month, "--lang", "en", "--weeks", "1")
    assert (
        english.exit_code == 0 and "Report for moderators: 23 November – 29 November 2026" in english.output
    )


@pytest.mark.parametrize("weeks", ["0", "-1", "53", "99999999"])
def test_verbinder_report_with_impossible_weeks_says_so_in_one_line(tmp_path: Path, weeks: str) -> None:
    done = verbinder(tmp_path / "data", "--weeks", weeks)
    assert done.exit_code == 2
    assert done.output.strip() == f"Error: --weeks: weeks must be between 1 and 52, not {int(weeks)}"


def test_verbinder_report_on_an_empty_database_has_nothing_to_report_yet(tmp_path: Path) -> None:
    done = verbinder(tmp_path / "data", "--out", str(tmp_path / "out"))
    assert done.exit_code == 0 and "Traceback" not in done.output
    assert done.output.startswith("Nog niets te melden: in ")
    assert "Nothing written to" in done.output and not (tmp_path / "out").exists()


def test_verbinder_report_json_has_the_figures(cli_month: Path) -> None:
    done = verbinder(cli_month, "--json")
    data = json.loads(done.output)
    assert data["figures"]["weeks"] == ["2026-W45", "2026-W46", "2026-W47", "2026-W48"]
    assert data["figures"]["asked"] == sum(w["asked"] for w in data["figures"]["per_week"])


def test_verbinder_report_into_a_folder_it_cannot_write_says_so(cli_month: Path) -> None:
    blocker = cli_month / "a-file"
    blocker.write_text("not a folder")
    done = verbinder(cli_month, "--out", str(blocker / "out"))
    assert done.exit_code == 2 and "Traceback" not in done.output
    assert f"Error: cannot write to {blocker / 'out'}" in done.output
