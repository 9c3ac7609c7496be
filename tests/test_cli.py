"""The `verbinder` command through typer's CliRunner, with VERBINDER_DATA_DIR in the environment."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import support.docs as D
from typer.testing import CliRunner

from app.cli import app

runner = CliRunner()

ASK_NL = "Waar repeteert het seniorenkoor voor eenzame ouderen?"
ASK_EN = "What do carers value about the museum tours?"
ASK_PHONE = "Wat is het telefoonnummer van seniorenkoor De Zilveren Stemmen?"


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {"VERBINDER_DATA_DIR": str(data_dir), "VERBINDER_SAMPLE_KB": "false", "COLUMNS": "200"}
    env.update(extra)
    return env


def _run(data_dir: Path, *args: str, **env: str):
    return runner.invoke(app, list(args), env=_env(data_dir, **env))


def _flat(s: str) -> str:
    return " ".join(s.split())


@pytest.fixture(scope="module")
def cli_kb(tmp_path_factory, corpus_dir) -> Path:
    """A data dir filled by `verbinder ingest` (read-only for the tests below)."""
    data = tmp_path_factory.mktemp("cli") / "data"
    result = _run(data, "ingest", str(corpus_dir))
    assert result.exit_code == 0, result.output
    assert f"added {len(D.CORPUS_PATHS)}," in result.stdout
    return data


# -- ingest ---------------------------------------------------------------------------------
def test_ingest_twice_reports_unchanged_and_exits_0(cli_kb, corpus_dir):
    result = _run(cli_kb, "ingest", str(corpus_dir))
    assert result.exit_code == 0
    assert f"unchanged {len(D.CORPUS_PATHS)}" in result.stdout
    assert "failed 0; 0 new chunks" in result.stdout
    assert "Not ingested" not in result.stdout


def test_ingest_exits_1_and_lists_the_failing_file(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "koor.md").write_text(D.KOOR_MD, encoding="utf-8")
    (src / "kapot.pdf").write_bytes(D.CORRUPT_PDF)
    (src / "raar.xyz").write_text("?", encoding="utf-8")
    result = _run(tmp_path / "data", "ingest", str(src))
    assert result.exit_code == 1
    out = _flat(result.stdout)
    assert "added 1," in out and "failed 2" in out
    assert "Not ingested" in out
    assert "kapot.pdf" in out and "corrupt PDF" in out
    assert "raar.xyz" in out and "unsupported file type '.xyz'" in out
    # The good file is in: a second run of only that file succeeds with exit code 0.
    again = _run(tmp_path / "data", "ingest", str(src / "koor.md"))
    assert again.exit_code == 0 and "unchanged 1" in again.stdout


def _ingested_pair(tmp_path: Path) -> tuple[Path, Path]:
    """A folder with two documents, ingested: (the folder, the data dir)."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "koor.md").write_text(D.KOOR_MD, encoding="utf-8")
    (src / "museum.md").write_text(D.MUSEUM_MD, encoding="utf-8")
    data = tmp_path / "data"
    assert _run(data, "ingest", str(src)).exit_code == 0
    return src, data


def test_ingest_prune_option(tmp_path):
    src, data = _ingested_pair(tmp_path)
    (src / "museum.md").unlink()
    result = _run(data, "ingest", "--prune", str(src))
    assert result.exit_code == 0
    assert "removed 1" in result.stdout
    stats = json.loads(_run(data, "kb", "stats", "--json").stdout)
    assert stats["documents"] == 1


def test_prune_with_a_single_file_never_removes_its_siblings(tmp_path):
    src, data = _ingested_pair(tmp_path)
    result = _run(data, "ingest", "--prune", str(src / "koor.md"))
    assert result.exit_code == 0 and "removed" not in result.stdout.replace("removed 0", "")
    assert json.loads(_run(data, "kb", "stats", "--json").stdout)["documents"] == 2


def test_ingest_missing_path_exits_1(tmp_path):
    result = _run(tmp_path / "data", "ingest", str(tmp_path / "bestaat-niet"))
    assert result.exit_code == 1
    assert "path does not exist" in _flat(result.stdout)


# -- ask ------------------------------------------------------------------------------------
def test_ask_json_prints_one_object(cli_kb):
    result = _run(cli_kb, "ask", "--json", ASK_NL)
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert set(data) == {"question", "answer", "routed", "outcome", "language", "sources"}
    assert data["question"] == ASK_NL
    assert data["routed"] is False and data["outcome"] == "answer"
    assert data["language"] == "nl"
    assert data["answer"].startswith("Dit staat er in de kennisbank")
    assert f"“{D.KOOR_SENTENCE}” [1]" in data["answer"]
    assert data["sources"][0]["path"] == D.KOOR_PATH
    assert set(data["sources"][0]) == {"path", "title", "url", "kind", "score"}


def test_ask_json_english_and_routed(cli_kb):
    en = json.loads(_run(cli_kb, "ask", "--json", ASK_EN).stdout)
    assert en["language"] == "en" and en["answer"].startswith("Here is what")
    routed = json.loads(_run(cli_kb, "ask", "--json", ASK_PHONE).stdout)
    assert routed["routed"] is True and routed["outcome"] in ("not_sure", "route")
    # Not sure: the related sources as reading tips; route: none.
    assert len(routed["sources"]) <= 3 and bool(routed["sources"]) == (routed["outcome"] == "not_sure")
    assert "geen antwoord" in routed["answer"] or "geen direct antwoord" in routed["answer"]


@pytest.mark.parametrize("mode", ["lexical", "dense", "hybrid"])
def test_ask_retriever_option(cli_kb, mode):
    result = _run(cli_kb, "ask", "--json", "--retriever", mode, ASK_NL)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["sources"][0]["path"] == D.KOOR_PATH


def test_ask_bad_retriever_exits_2(cli_kb):
    result = _run(cli_kb, "ask", "--retriever", "magic", ASK_NL)
    assert result.exit_code == 2
    assert "--retriever must be one of hybrid, lexical, dense" in _flat(result.output)


def test_ask_renders_answer_and_sources(cli_kb):
    result = _run(cli_kb, "ask", ASK_NL)
    assert result.exit_code == 0
    out = _flat(result.stdout)
    assert "Dit staat er in de kennisbank" in out
    assert "Bronnen" in out
    assert "[1] Seniorenkoor De Zilveren Stemmen in Amersfoort" in out
    assert "https://example.org/zilveren-stemmen" in out


def test_ask_routed_rendering(cli_kb):
    out = _flat(_run(cli_kb, "ask", ASK_PHONE).stdout)
    assert "Doorgezet naar een expert" in out
    data = json.loads(_run(cli_kb, "ask", "--json", ASK_PHONE).stdout)
    # Not sure: the related sources are shown as reading tips; routed outright: no sources.
    assert ("Bronnen" in out) == (data["outcome"] == "not_sure")


def test_ask_on_empty_kb_ingests_the_bundled_sample(tmp_path):
    result = _run(
        tmp_path / "data", "ask", "--json", "Hoe werkt kunst op recept?", VERBINDER_SAMPLE_KB="true"
    )
    assert result.exit_code == 0, result.output
    m = re.search(r"Sample knowledge base ingested: (\d+) documents", result.stderr)
    assert m and int(m.group(1)) >= 30
    data = json.loads(result.stdout)
    assert data["sources"] or data["routed"]


# -- kb -------------------------------------------------------------------------------------
def test_kb_stats_json(cli_kb):
    result = _run(cli_kb, "kb", "stats", "--json")
    assert result.exit_code == 0
    stats = json.loads(result.stdout)
    assert stats["documents"] == len(D.CORPUS_PATHS)
    assert stats["documents_by_language"] == {"nl": 6, "en": 3}
    assert stats["documents_by_kind"]["project"] == 1
    assert stats["chunks"] == sum(stats["chunks_by_kind"].values()) > 0
    assert stats["embedding_model"] == "wordllama:l2_supercat_256"


def test_kb_stats_table(cli_kb):
    result = _run(cli_kb, "kb", "stats")
    assert result.exit_code == 0
    out = _flat(result.stdout)
    assert f"documents: {len(D.CORPUS_PATHS)}" in out
    assert "embedding model: wordllama:l2_supercat_256" in out
    assert "qa" in out and "tip" in out


def test_kb_list(cli_kb):
    result = _run(cli_kb, "kb", "list")
    assert result.exit_code == 0
    out = result.stdout
    for path in D.CORPUS_PATHS:
        assert path in out
    assert "Museum tours for people with dementia" in out


def test_kb_remove(tmp_path):
    src, data = _ingested_pair(tmp_path)
    ok = _run(data, "kb", "remove", "koor.md")
    assert ok.exit_code == 0 and "removed 1 document(s)" in ok.stdout
    partly = _run(data, "kb", "remove", "museum.md", "nergens.md")
    assert partly.exit_code == 1
    assert "removed 1 document(s)" in partly.stdout
    assert "not in the knowledge base: nergens.md" in _flat(partly.stderr)
    assert json.loads(_run(data, "kb", "stats", "--json").stdout)["documents"] == 0


def test_kb_remove_of_a_path_as_ingested_names_the_identity(tmp_path):
    src, data = _ingested_pair(tmp_path)
    result = _run(data, "kb", "remove", f"{src.name}/koor.md")
    assert result.exit_code == 1
    assert "did you mean koor.md?" in _flat(result.stderr) and "kb list" in _flat(result.stderr)
    assert json.loads(_run(data, "kb", "stats", "--json").stdout)["documents"] == 2


def test_ingest_reports_notes_and_keeps_library_warnings_off_stderr(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "cafe.txt").write_bytes(
        "Café\n\nDe vrijwilligers van het café zingen één keer per week.".encode("cp1252")
    )
    (src / "verslag.pdf").write_bytes(re.sub(rb"startxref\s+\d+", b"startxref\n12", D.pdf_bytes()))
    result = _run(tmp_path / "data", "ingest", str(src))
    assert result.exit_code == 0
    out = _flat(result.stdout)
    assert "added 2" in out and "Ingested, with a note" in out
    assert "read as Windows-1252" in out and "the PDF has defects the reader worked around" in out
    assert "startxref" not in result.stderr  # pypdf's own warning text is not printed raw


# -- embedding model ----------------------------------------------------------------------
def test_model_mismatch_exits_2_until_rebuilt(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "koor.md").write_text(D.KOOR_MD, encoding="utf-8")
    data = tmp_path / "data"
    assert _run(data, "ingest", str(src)).exit_code == 0
    other = {"VERBINDER_EMBEDDING_MODEL": "wordllama:"}  # loads, but is another spec

    mismatch = _run(data, "kb", "stats", **other)
    assert mismatch.exit_code == 2
    msg = _flat(mismatch.stderr)
    assert "verbinder kb rebuild" in msg
    assert "wordllama:l2_supercat_256" in msg
    assert _run(data, "ask", "--json", ASK_NL, **other).exit_code == 2
    assert _run(data, "ingest", str(src), **other).exit_code == 2

    rebuilt = _run(data, "kb", "rebuild", **other)
    assert rebuilt.exit_code == 0
    assert "rebuilt the index: 2 chunks embedded with wordllama:" in _flat(rebuilt.stdout)
    stats = json.loads(_run(data, "kb", "stats", "--json", **other).stdout)
    assert stats["embedding_model"] == "wordllama:"
    answer = json.loads(_run(data, "ask", "--json", ASK_NL, **other).stdout)
    assert answer["sources"][0]["path"] == "koor.md"
    # Now the default model is the odd one out.
    assert _run(data, "kb", "stats").exit_code == 2


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("wordllama:l2_supercat_64", "cannot load embedding model 'wordllama:l2_supercat_64'"),
        ("nosuch:model", "unknown embedding provider 'nosuch'"),
    ],
)
def test_unusable_embedding_model_exits_2(tmp_path, spec, message):
    result = _run(tmp_path / "data", "kb", "stats", VERBINDER_EMBEDDING_MODEL=spec)
    assert result.exit_code == 2
    assert message in _flat(result.stderr)
    assert "Traceback" not in result.output


# -- eval -----------------------------------------------------------------------------------
EVAL_ITEMS = [
    {"id": "koor", "question": ASK_NL, "gold": [D.KOOR_PATH]},
    {"id": "museum", "question": ASK_EN, "gold": [D.MUSEUM_PATH], "answerable": True},
    {"id": "telefoon", "question": ASK_PHONE, "answerable": False},
]


def _write_jsonl(path: Path, items: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n\n", encoding="utf-8")
    return path


def test_eval_prints_metrics_and_writes_out(cli_kb, tmp_path):
    questions = _write_jsonl(tmp_path / "q.jsonl", EVAL_ITEMS)
    out = tmp_path / "out.jsonl"
    result = _run(cli_kb, "eval", str(questions), "--out", str(out))
    assert result.exit_code == 0, result.output
    text = _flat(result.stdout)
    assert "questions=3 (answerable 2, unanswerable 1)" in text
    assert "recall@5 1.000" in text
    assert "MRR@10 1.000" in text
    assert "route balanced accuracy 1.000" in text
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["koor", "museum", "telefoon"]
    for row in rows:
        assert (
            {"id", "sources", "routed", "outcome", "answer"}
            <= set(row)
            <= {
                "id",
                "sources",
                "routed",
                "outcome",
                "answer",
                "carried",
            }
        )
        assert isinstance(row["sources"], list) and len(row["sources"]) <= 10
    assert rows[0]["sources"][0] == D.KOOR_PATH and rows[0]["routed"] is False
    assert rows[2]["routed"] is True


def test_invalid_unicode_in_arguments_stdin_and_eval_files_is_no_crash(cli_kb, tmp_path):
    asked = _run(cli_kb, "ask", "Waar repeteert het koor \ud800?", "--json")
    assert asked.exit_code == 0, asked.output
    assert json.loads(asked.stdout)["question"] == "Waar repeteert het koor \ufffd?"
    chat = runner.invoke(app, ["chat"], input=b"Waar repeteert het koor \xff\xfe?\n/quit\n", env=_env(cli_kb))
    assert chat.exit_code == 0 and chat.exception is None, chat.output
    questions = tmp_path / "q.jsonl"
    line = {
        "id": "koor\ud800",
        "question": "Waar repeteert het koor?",
        "kind": "x\udc00",
        "gold": [D.KOOR_PATH],
    }
    questions.write_text(json.dumps(line) + "\n", encoding="utf-8")  # json.dumps writes \\ud800 escapes
    out = tmp_path / "out.jsonl"
    result = _run(cli_kb, "eval", str(questions), "--out", str(out))
    assert result.exit_code == 0 and result.exception is None, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["id"] == "koor\ufffd"


def test_eval_debug_adds_features(cli_kb, tmp_path):
    questions = _write_jsonl(tmp_path / "q.jsonl", EVAL_ITEMS[:1])
    out = tmp_path / "out.jsonl"
    result = _run(cli_kb, "eval", str(questions), "--out", str(out), "--debug", "--retriever", "lexical")
    assert result.exit_code == 0
    assert "retriever=lexical" in result.stdout
    row = json.loads(out.read_text(encoding="utf-8"))
    assert set(row) == {"id", "sources", "routed", "outcome", "answer", "features"}
    assert row["features"]["outcome"] == row["outcome"] and 0.0 <= row["features"]["p_answer"] <= 1.0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "a", "question": "Wat?"}\n{kapot\n', "line 2: not valid JSON"),
        ('{"question": "Zonder id?"}\n', "line 1: needs at least 'id' and 'question'"),
        ('["id", "question"]\n', "line 1: each line must be a JSON object"),
    ],
)
def test_eval_bad_file_exits_2(cli_kb, tmp_path, content, message):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content, encoding="utf-8")
    result = _run(cli_kb, "eval", str(bad))
    assert result.exit_code == 2
    out = _flat(result.output)
    assert "Error:" in out and message in out
    assert "Traceback" not in out


def test_eval_missing_file_exits_2(cli_kb, tmp_path):
    result = _run(cli_kb, "eval", str(tmp_path / "bestaat-niet.jsonl"))
    assert result.exit_code == 2
    assert "does not exist" in _flat(result.output)


def test_eval_bad_retriever_exits_2(cli_kb, tmp_path):
    questions = _write_jsonl(tmp_path / "q.jsonl", EVAL_ITEMS)
    result = _run(cli_kb, "eval", str(questions), "--retriever", "bm25")
    assert result.exit_code == 2


def test_no_arguments_shows_help():
    result = runner.invoke(app, [])
    assert result.exit_code in (0, 2)
    for command in ("ingest", "ask", "eval", "chat", "kb"):
        assert command in result.output


def test_document_text_is_printed_literally_not_as_terminal_markup(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    doc = (
        "---\ntitle: 'Koor [bold]stemmig[/i] :x:'\nlanguage: nl\nkind: project\n---\n"
        "Het koor [/i] repeteert elke dinsdag in buurthuis De Linde [bold]:x:.\n"
    )
    (src / "koor.md").write_text(doc, encoding="utf-8")
    data = tmp_path / "data"
    assert _run(data, "ingest", str(src)).exit_code == 0
    listed = _run(data, "kb", "list")
    assert listed.exit_code == 0 and "Koor [bold]stemmig[/i] :x:" in _flat(listed.stdout)
    asked = _run(data, "ask", "Wanneer repeteert het koor in buurthuis De Linde?")
    assert asked.exit_code == 0, asked.output
    assert "[/i] repeteert" in asked.stdout and "[bold]:x:" in asked.stdout and "❌" not in asked.stdout
    chat = runner.invoke(
        app, ["chat"], input="Wanneer repeteert het koor in buurthuis De Linde?\n", env=_env(data)
    )
    assert chat.exit_code == 0 and "[/i] repeteert" in chat.stdout


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        (
            {"VERBINDER_HTTP_PORT": "99999"},
            "VERBINDER_HTTP_PORT=99999: Input should be less than or equal to 65535",
        ),
        (
            {"VERBINDER_ANSWER_THRESHOLD": "abc"},
            "VERBINDER_ANSWER_THRESHOLD=abc: Input should be a valid number",
        ),
        ({"VERBINDER_LOG_LEVEL": "LOUD"}, "VERBINDER_LOG_LEVEL=LOUD: must be one of DEBUG, INFO"),
        ({"VERBINDER_DATA_DIR": "/proc/nope"}, "VERBINDER_DATA_DIR=/proc/nope: cannot create or write it"),
        ({"VERBINDER_DATABASE_URL": "garbage://"}, "VERBINDER_DATABASE_URL=garbage://: not a database URL"),
        (
            {"VERBINDER_DATABASE_URL": "postgresql+psycopg://u:geheim@127.0.0.1:1/x"},
            "cannot open VERBINDER_DATABASE_URL=postgresql+psycopg://u:***@127.0.0.1:1/x",
        ),
    ],
)
@pytest.mark.parametrize("command", [["ask", "hallo"], ["experts", "list"], ["questions", "list"]])
def test_a_configuration_mistake_is_one_error_line_and_exit_2(tmp_path, env, needle, command):
    result = _run(tmp_path / "data", *command, **env)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and needle in _flat(lines[0]), result.output
    assert "geheim" not in result.output and "Traceback" not in result.output


def test_slack_manifest_refuses_a_request_url_that_is_not_https(tmp_path):
    result = _run(tmp_path / "data", "slack", "manifest", "--request-url", "not a url")
    assert result.exit_code == 2 and result.output.startswith("Error: --request-url 'not a url'")
    ok = _run(tmp_path / "data", "slack", "manifest", "--request-url", "https://bot.example.org")
    assert ok.exit_code == 0 and "https://bot.example.org" in ok.output


def test_a_port_in_use_is_named(tmp_path):
    import errno

    from app.setup_errors import explain
    from bot.config import Settings

    settings = Settings(data_dir=tmp_path, http_port=3123, _env_file=None)
    assert explain(OSError(errno.EADDRINUSE, "Address already in use"), settings) == (
        "VERBINDER_HTTP_PORT=3123: the port is already in use by another program"
    )
    assert explain(OSError(errno.ECONNRESET, "reset"), settings) is None  # not a configuration problem


def test_eval_with_a_bad_questions_file_exits_2_naming_the_lines(tmp_path):
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"id": 1, "question": 12345}\n{"id": 2, "question": "a", "gold": 5}\n', encoding="utf-8")
    result = _run(tmp_path / "data", "eval", str(bad))
    assert (
        result.exit_code == 2
        and "line 1: 'question'" in _flat(result.output)
        and "line 2: 'gold'" in _flat(result.output)
    )
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    result = _run(tmp_path / "data", "eval", str(empty))
    assert result.exit_code == 2 and "no questions in the file" in result.output


def test_version_and_an_unknown_status_are_answered_plainly(tmp_path):
    assert _run(tmp_path / "data", "--version").output.startswith("verbinder ")
    result = _run(tmp_path / "data", "questions", "list", "--status", "bogus")
    assert result.exit_code == 2 and "use one of asked, answered, routed" in _flat(result.output)
