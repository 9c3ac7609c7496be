"""Property-based fuzzing of the core's boundaries (issue 12: nothing crashes, nothing is lost).

The ask path (Assistant.ask, the service with every feature, the console chat, `verbinder ask`), the
loaders and front matter, `verbinder experts import` and `verbinder eval` get any input. What must
hold: no exception escapes (a bad file is an IngestError, a bad CLI input one clear error and exit
2), a member gets at most one reply per message, and what was stored before is still there.
Profiles and strategies: tests/support/fuzzing.py; bench/fuzz.py runs 10,000+ examples per target.
Each @example is a bug this suite found, kept so that it stays fixed.
"""

from __future__ import annotations

import io
import itertools
import json
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import support.docs as D
import yaml
from hypothesis import example, given
from hypothesis import strategies as st
from support.chat import msg
from support.fuzzing import (
    EXPERT,
    MEMBERS,
    MODERATOR,
    WORDS,
    FuzzWorld,
    any_text,
    chaos_text,
    error_log,
    fuzz,
    json_values,
    mutated,
    mutated_bytes,
    production_stack,
    signature,
    wordy_text,
)
from typer.testing import CliRunner

from adapters.console import QUIT, run_console
from adapters.terminal import terminal
from app.cli import app
from app.runtime import ALL_COMMANDS, open_settings_database
from bot.answering.assistant import Answer
from bot.experts.directory import EXPERT_FIELDS, ExpertDirectory
from bot.messages import ChatRef, FormSubmit, Incoming, Reply
from ingest.loaders import SUFFIXES, IngestError, load_bytes, parse_front_matter
from knowledge_base.models import KINDS, LANGUAGES, Document
from knowledge_base.retrieval import MODES

runner = CliRunner()

# Console lines beside any text: buttons pressed (or none there), steps of a tip, quitting.
CONSOLE_LINES = ["!1", "!2", "!3", "!9", "! 0", "/tip", "-", "/annuleren", "/help", "/agenda", "/quit", ""]

STATUSES = {"answered", "routed", "help", "too_long", "smalltalk"}


def _env(data_dir: Path) -> dict[str, str]:
    return {"VERBINDER_DATA_DIR": str(data_dir), "VERBINDER_SAMPLE_KB": "false", "COLUMNS": "120"}


def _crash(result: Any) -> str | None:
    """An exception that escaped a CLI command, with where it was raised (None: a normal exit)."""
    if result.exception is None or isinstance(result.exception, SystemExit):
        return None
    return signature(result.exception)


def _sendable(text: str) -> bool:
    """Text a platform accepts: not blank, valid Unicode (no lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return bool(text.strip())


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> FuzzWorld:
    return FuzzWorld.build(tmp_path_factory.mktemp("fuzz-core") / "data", corpus_dir)


# -- the ask path -------------------------------------------------------------------------------


@fuzz(120)
@example(text="o" * 3999, mode="hybrid", language=None)
@given(
    text=chaos_text(),
    mode=st.sampled_from(MODES),
    language=st.sampled_from([None, "nl", "en"]),
)
def test_ask_answers_any_text(kb, text: str, mode: str, language: str | None):
    with production_stack():
        a = kb.rt.assistant.ask(text, mode=mode, language=language)
    assert isinstance(a, Answer) and a.status in STATUSES
    assert a.language in LANGUAGES
    assert _sendable(a.answer), a.answer
    assert all(s.path in D.CORPUS_PATHS for s in (*a.sources, *a.candidates))
    assert a.routed == (a.status == "routed")


COMMANDS = sorted({n for spec in ALL_COMMANDS for n in spec.names})


@st.composite
def message_spec(draw: st.DrawFn) -> dict[str, Any]:
    """A member's (or an expert's, or a moderator's) message with any text, in any kind of chat.
    "{qid}" and "{mid}" stand for the stored question's id and message id (see `_incoming`)."""
    platform = draw(st.sampled_from(["slack", "telegram"]))
    return {
        "platform": platform,
        "user": draw(
            st.sampled_from([MEMBERS[platform], EXPERT[platform], MODERATOR[platform], "U0X", "9", ""])
        ),
        "chat": draw(st.sampled_from([None, None, "{chat}", "C0GROUP", "-1001234567890"])),
        "reply_to": draw(st.sampled_from([None, None, "{mid}", "1772440000.999999", "77"])),
        "command": draw(st.one_of(st.none(), st.sampled_from(COMMANDS), st.text(max_size=8))),
        "text": draw(st.sampled_from(["", "", "{qid} ", "#{qid} ", "99999999999999999999 "]))
        + draw(chaos_text()),
        "addressed": draw(st.booleans()),
        "name": draw(any_text(20)),
        "media": draw(st.sampled_from([None, None, "file", "sticker"])),
        "language": draw(st.sampled_from([None, None, "nl", "en", "xx", ""])),
    }


def _incoming(world: FuzzWorld, spec: dict[str, Any]) -> Incoming:
    asked = world.asked[spec["platform"]]
    refs = {"{qid}": str(asked.id), "{mid}": asked.message_id, "{chat}": asked.chat_id}

    def fill(value: str | None) -> str | None:
        for key, ref in refs.items():
            value = value.replace(key, ref, 1) if value else value
        return value

    m = msg(
        spec["platform"],
        spec["user"],
        fill(spec["text"]) or "",
        chat=fill(spec["chat"]),
        reply_to=fill(spec["reply_to"]),
        command=spec["command"],
        addressed=spec["addressed"],
        name=spec["name"],
    )
    return replace(m, media=spec["media"], language=spec["language"])


@fuzz(25)
@given(spec=message_spec())
@example(  # an expert answers a question id too large for SQLite
    spec={
        "platform": "telegram",
        "user": EXPERT["telegram"],
        "chat": None,
        "reply_to": None,
        "command": "antwoord",
        "text": "99999999999999999999 Het koor repeteert op dinsdag.",
        "addressed": True,
        "name": "Sanne",
        "media": None,
        "language": None,
    }
)
def test_the_service_replies_at_most_once_and_loses_nothing(world: FuzzWorld, spec: dict[str, Any]):
    m = _incoming(world, spec)
    with production_stack():
        replies = world.service.handle(m)
    # One reply, but a moderator's /inzendingen lists the queue: a heading and one per submission.
    listing = (m.command or "").lower() in ("inzendingen", "submissions")
    assert len(replies) <= (11 if listing else 1), replies
    for r in replies:
        assert isinstance(r, Reply) and _sendable(r.text), r
        assert (r.chat.platform, r.chat.chat_id) == (m.chat.platform, m.chat.chat_id)
    assert world.service.handle(m) == []  # taken on exactly once
    assert world.stored.lost() == []


FORM_NAMES = ["tip", "project", "event", "reject", "edit:tip", "edit:event", "edit:nope", "", "x" * 300]
FIELD_NAMES = [
    "title",
    "text",
    "themes",
    "region",
    "organisations",
    "link",
    "date",
    "time",
    "place",
    "reason",
]


@fuzz(25)
@given(
    form=st.one_of(st.sampled_from(FORM_NAMES), any_text(30)),
    values=st.lists(
        st.tuples(st.one_of(st.sampled_from(FIELD_NAMES), any_text(10)), chaos_text()), max_size=8
    ),
    state=st.one_of(
        st.sampled_from(
            ["", '{"submission": 1}', '{"submission": "1"}', '{"submission": 99999999999}', "[]"]
        ),
        any_text(40),
    ),
    platform=st.sampled_from(["slack", "telegram"]),
    who=st.sampled_from(["member", "moderator"]),
)
def test_a_form_submission_gets_errors_or_replies_and_never_raises(
    world: FuzzWorld, form, values, state, platform, who
):
    user = (MEMBERS if who == "member" else MODERATOR)[platform]
    sub = FormSubmit(ChatRef(platform, user), user, form, tuple(values), state)
    with production_stack():
        result = world.service.handle_form(sub)
    assert not (result.errors and result.replies), result
    assert {name for name, _ in result.errors} <= set(FIELD_NAMES), result.errors
    assert all(_sendable(text) for _, text in result.errors)
    for r in result.replies:
        assert _sendable(r.text) and r.chat == sub.chat, r
    assert world.stored.lost() == []


def _console(buf: io.StringIO):
    console = terminal()  # the CLI's own console (markup, emoji codes and highlighting off)
    console.file = buf
    return console


@fuzz(50)
@given(lines=st.lists(st.one_of(chaos_text(), st.sampled_from(CONSOLE_LINES)), max_size=4))
def test_the_console_chat_answers_every_line_once(world: FuzzWorld, lines: list[str]):
    typed = [line.replace("\n", " ") for line in lines]
    read = list(itertools.takewhile(lambda x: x.strip().lower() not in QUIT, typed))
    buf = io.StringIO()
    stdin = io.StringIO("".join(line + "\n" for line in typed))
    with production_stack(), error_log() as errors:
        run_console(world.service, _console(buf), stdin, outbox=world.core.outbox)
    assert errors.problems() == []  # nothing failed (the console would log it and say so)
    out = buf.getvalue()
    assert "Traceback" not in out
    prompt = "jij> "
    turns = out.split(prompt)[1:]
    assert len(turns) == len(read) + 1  # every line up to /quit (or the end) was read, then no more
    assert all(turn.strip() for turn in turns[:-1])  # and got its answer
    panels = out.count("Verbinder ─")
    assert panels <= 1 + len(read)  # the banner, then at most one answer per line
    assert world.stored.lost() == []


@fuzz(10)
@given(question=chaos_text(), as_json=st.booleans())
@example(question="koor \udcff", as_json=True)  # `verbinder ask --json $'koor \xff'`
def test_verbinder_ask_prints_any_question(kb, question: str, as_json: bool):
    args = ["ask", "--json", "--", question] if as_json else ["ask", "--", question]
    result = runner.invoke(app, args, env=_env(kb.data_dir))
    assert _crash(result) is None, _crash(result)
    assert result.exit_code == 0, result.output
    if as_json:
        out = json.loads(result.stdout)
        assert set(out) >= {"question", "answer", "routed", "outcome", "language", "sources"}


@fuzz(5)
@example(lines=[b"hallo \x80 daar"])
@given(
    lines=st.lists(
        st.one_of(st.binary(max_size=80), chaos_text().map(lambda s: s.encode("utf-8", "surrogatepass"))),
        max_size=4,
    )
)
def test_verbinder_chat_reads_any_bytes(kb, lines: list[bytes]):
    stdin = b"\n".join(line.replace(b"\n", b" ") for line in lines) + b"\n/quit\n"
    result = runner.invoke(app, ["chat"], input=stdin, env=_env(kb.data_dir))
    assert _crash(result) is None, _crash(result)
    assert result.exit_code == 0, result.output


# -- loaders and front matter -------------------------------------------------------------------

ALL_SUFFIXES = (*SUFFIXES, ".MD", ".Pdf", ".xyz", "", ".md.bak", ".")


def _loaded_or_refused(data: bytes, rel: str) -> None:
    """The property of every loader: a Document, or an IngestError with a reason; nothing else."""
    try:
        doc = load_bytes(data, rel)
    except IngestError as exc:
        assert str(exc).strip()
        return
    assert isinstance(doc, Document) and doc.path == rel
    assert doc.text.strip() and doc.title.strip()
    assert doc.kind in KINDS and doc.language in LANGUAGES


@fuzz(120)
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(ALL_SUFFIXES))
def test_random_bytes_load_or_are_refused(data: bytes, suffix: str):
    _loaded_or_refused(data, f"map/bestand{suffix}")


REAL_FILES = {
    ".md": D.KOOR_MD.encode(),
    ".txt": D.TXT_BODY.encode(),
    ".html": D.HTML_BODY.encode(),
    ".pdf": D.pdf_bytes(),
    ".docx": D.docx_bytes(),
}


def _corrupt_deflate_docx() -> bytes:
    """A Word file's zip with a broken deflate stream in its first member."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types>" + "abc" * 300 + "</Types>")
    data = bytearray(buf.getvalue())
    data[30 + len("[Content_Types].xml")] = 0xFF  # the first byte of the compressed data
    return bytes(data)


mutated_real_files = st.sampled_from(sorted(REAL_FILES)).flatmap(
    lambda suffix: mutated_bytes(REAL_FILES[suffix]).map(lambda raw: (suffix, raw))
)


@fuzz(150)
@given(file=mutated_real_files, as_suffix=st.sampled_from(ALL_SUFFIXES), keep=st.booleans())
@example(file=(".docx", _corrupt_deflate_docx()), as_suffix=".docx", keep=True)
def test_mutated_real_files_load_or_are_refused(file: tuple[str, bytes], as_suffix: str, keep: bool):
    suffix, raw = file
    _loaded_or_refused(raw, f"map/bestand{suffix if keep else as_suffix}")


FRONT_KEYS = ("title", "url", "language", "kind", "tags", "region", "organisations", "organizations", "date")
YAML_SPECIAL = st.sampled_from(
    [
        "~",
        "null",
        "yes",
        "no",
        "2023-02-30",
        "2023-04-12",
        "1e400",
        ".inf",
        "0x1F",
        "!!binary aGk=",
        "*a",
        "&a x",
    ]
)


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    """A front matter block: YAML of any values, hand-written `key: value` lines, or noise."""
    kind = draw(st.sampled_from(["yaml", "lines", "noise"]))
    if kind == "yaml":
        keys = st.one_of(st.sampled_from(FRONT_KEYS), st.text(max_size=10))
        meta = draw(st.dictionaries(keys, st.one_of(json_values(), YAML_SPECIAL, st.dates()), max_size=6))
        return yaml.safe_dump(meta, allow_unicode=draw(st.booleans()))
    if kind == "lines":
        line = st.tuples(st.sampled_from(FRONT_KEYS), st.one_of(wordy_text(6), YAML_SPECIAL))
        return "".join(f"{k}: {v}\n" for k, v in draw(st.lists(line, max_size=6)))
    return draw(any_text(200))


@fuzz(150)
@example(
    block="title: Koor\ndate: 2023-02-30\n",
    body="Het koor zingt.",
    opening="---\n",
    closing="---\n",
    suffix=".md",
)
@given(
    block=front_matter(),
    body=st.one_of(wordy_text(), any_text(100)),
    opening=st.sampled_from(["---\n", "---\r\n", "\ufeff---\n", "--- \n", "---"]),
    closing=st.sampled_from(["---\n", "---", "--- \r\n", "...\n", ""]),
    suffix=st.sampled_from([".md", ".txt", ".markdown"]),
)
def test_front_matter_is_read_or_refused(block: str, body: str, opening: str, closing: str, suffix: str):
    raw = (opening + block + ("" if block.endswith("\n") else "\n") + closing + body).encode(
        "utf-8", "surrogatepass"
    )
    try:  # the text of a file, as the loaders decode it (a file holds no lone surrogates)
        meta, rest = parse_front_matter(raw.decode("utf-8", "replace"))
    except IngestError:
        pass
    else:
        assert isinstance(meta, dict) and isinstance(rest, str)
    _loaded_or_refused(raw, f"notes/voorbeeld{suffix}")


# -- expert YAML --------------------------------------------------------------------------------

EXPERT_KEYS = tuple(sorted(EXPERT_FIELDS))
KEEPER = "U0KEEPER"
GOOD_ENTRY = {
    "name": "Fatima",
    "slack": "U0FATIMA",
    "telegram": 31337,
    "expertise": "fondsen en subsidies",
    "tags": ["financiering", "fondsen"],
    "regions": "Utrecht, Gelderland",
    "languages": ["nl", "en"],
    "capacity": 3,
    "moderator": False,
}


@st.composite
def experts_file(draw: st.DrawFn) -> bytes:
    """An experts YAML file: a list of (mutated) entries, {experts: [...]}, noise, or broken bytes."""
    kind = draw(st.sampled_from(["entries", "entries", "mapping", "lines", "text", "bytes"]))
    if kind in ("entries", "mapping"):
        entry = st.one_of(
            mutated(GOOD_ENTRY),
            st.fixed_dictionaries(
                {k: any_text(30) for k in ("name", "slack", "expertise", "tags", "regions")}
            ),
            st.dictionaries(st.sampled_from(EXPERT_KEYS), st.one_of(json_values(), YAML_SPECIAL), max_size=6),
            json_values(),
        )
        entries = draw(st.lists(entry, max_size=5))
        doc: Any = {"experts": entries} if kind == "mapping" else entries
        return yaml.safe_dump(doc, allow_unicode=True).encode("utf-8", "surrogatepass")
    if kind == "lines":  # hand-written YAML: plain scalars are typed by YAML (dates, numbers, null)
        fields = st.lists(st.tuples(st.sampled_from(EXPERT_KEYS), st.one_of(YAML_SPECIAL, wordy_text(4))))
        entries = draw(st.lists(fields, max_size=4))
        text = "".join("-" + "".join(f"  {k}: {v}\n" for k, v in e)[1:] for e in entries if e)
        return text.encode("utf-8", "surrogatepass")
    if kind == "text":
        return draw(st.one_of(wordy_text(), any_text(300))).encode("utf-8", "surrogatepass")
    return draw(st.one_of(st.binary(max_size=300), mutated_bytes(yaml.safe_dump([GOOD_ENTRY]).encode())))


@pytest.fixture(scope="module")
def experts_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ExpertDirectory]:
    """A data folder with one expert registered before any import."""
    data = tmp_path_factory.mktemp("fuzz-experts") / "data"
    directory = ExpertDirectory(open_settings_database(D.make_settings(data)))
    directory.add("Keeper", slack_user_id=KEEPER, expertise="bewaart alles")
    return data, directory


@fuzz(50)
@given(content=experts_file())
@example(content=b"- name: Anna\n  slack: U0ANNA\n  expertise: 2023-02-30\n")
def test_experts_import_reports_bad_entries_and_keeps_the_good(experts_dir, tmp_path_factory, content):
    data, directory = experts_dir
    path = tmp_path_factory.getbasetemp() / "experts.yaml"
    path.write_bytes(content)
    result = runner.invoke(app, ["experts", "import", str(path)], env=_env(data))
    assert _crash(result) is None, _crash(result)
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert result.output.startswith("Error:"), result.output
    assert directory.by_identity("slack", KEEPER) is not None  # nothing stored is lost


# -- eval JSONL ---------------------------------------------------------------------------------

GOOD_ITEM = {
    "id": "q1",
    "question": D.KOOR_SENTENCE,
    "answerable": True,
    "gold": [D.KOOR_PATH],
    "evidence": D.KOOR_SENTENCE,
    "kind": "answerable",
}


@st.composite
def eval_file(draw: st.DrawFn) -> bytes:
    """A questions file: (mutated) question lines, any JSON, text, broken JSON or broken UTF-8."""
    line = st.one_of(
        mutated(GOOD_ITEM).map(json.dumps),
        st.just(GOOD_ITEM).map(json.dumps),
        json_values().map(json.dumps),
        wordy_text(8),
        any_text(60),
    )
    well_formed = st.builds(
        lambda i, q, k, e, g, ascii: json.dumps(
            {"id": i, "question": q, "kind": k, "evidence": e, "gold": g}, ensure_ascii=ascii
        ),
        st.one_of(any_text(20), st.integers()),
        chaos_text().filter(str.strip),
        any_text(20),
        any_text(40),
        st.one_of(st.sampled_from(D.CORPUS_PATHS), any_text(20), st.lists(any_text(20), max_size=2)),
        st.booleans(),
    )
    clean = draw(st.booleans())  # a file of well-formed lines with any text in every field
    lines = [
        s.encode("utf-8", "surrogatepass") for s in draw(st.lists(well_formed if clean else line, max_size=5))
    ]
    if not clean and draw(st.booleans()):
        lines += draw(st.lists(st.binary(max_size=40), max_size=2))
    sep = draw(st.sampled_from([b"\n", b"\r\n", b"\n\n"]))
    return draw(st.sampled_from([b"", b"\xef\xbb\xbf"])) + sep.join(lines)


@fuzz(50)
@given(content=eval_file(), out=st.booleans())
@example(content=b'{"id": 1, "question": "Waar zingt het koor?", "kind": "\\ud800"}\n', out=False)
@example(content=b'{"id": "\\udcff", "question": "Waar zingt het koor?"}\n', out=True)
def test_verbinder_eval_refuses_a_bad_file_clearly(kb, tmp_path_factory, content: bytes, out: bool):
    base = tmp_path_factory.getbasetemp()
    path = base / "questions.jsonl"
    path.write_bytes(content)
    args = ["eval", str(path)] + (["--out", str(base / "results.jsonl")] if out else [])
    result = runner.invoke(app, args, env=_env(kb.data_dir))
    assert _crash(result) is None, _crash(result)
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        first = result.output.splitlines()[0]
        assert first.startswith(f"Error: {path}: ") and len(first) > len(f"Error: {path}: "), result.output
    assert "Traceback" not in result.output


def test_the_word_list_has_every_command():
    # The strategies reach every command only if the word list names it.
    assert {f"/{c}" for spec in ALL_COMMANDS for c in spec.names[:1]} <= set(WORDS)
