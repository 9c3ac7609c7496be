"""The privacy catalog knows every table; the paraphrase rule; the statement of `verbinder privacy`."""

from __future__ import annotations

import base64
import re

from support.docs import make_settings

from app.runtime import open_settings_database
from app.schema import metadata
from bot.config import Settings
from bot.delivery.outbox import enqueue
from bot.delivery.records import OutboxRecord
from bot.messages import Attachment, ChatRef, Reply
from bot.privacy.catalog import COVERAGE, NOT_PERSONAL, unclassified
from bot.privacy.paraphrase import GONE, anonymise, without_names
from bot.privacy.statement import statement
from bot.privacy.traces import find, mentions, text_columns, wipe

PERSONAL = re.compile(r"user|person|author|actor|name|chat|expert|_by$|claimed|decided|target|payload")


def test_every_table_is_covered_or_declared_impersonal():
    # A new table with a person or user column must say here how it is exported and forgotten.
    tables = set(metadata().tables)
    assert unclassified() == []
    assert tables == set(COVERAGE) | set(NOT_PERSONAL)
    for name in NOT_PERSONAL:
        personal = [c.name for c in metadata().tables[name].columns if PERSONAL.search(c.name)]
        assert personal == [], (name, personal)


def test_the_trace_search_reads_text_and_json_columns_of_every_table():
    columns = {name: text_columns(t) for name, t in metadata().tables.items()}
    assert (
        "payload" in columns["outbox"]
        and "fields" in columns["submissions"]
        and "text" in columns["kb_chunks"]
    )
    assert "id" not in columns["questions"]


def test_the_paraphrase_drops_what_points_to_one_person():
    text = (
        "Mijn moeder (82) woont in Utrecht bij Zorgcentrum De Linde. Ik ben Anna de Vries, bel "
        "06-12345678 of mail anna@example.org, zie www.example.org. Hoe vind ik een koor met GGZ-hulp?"
    )
    out = anonymise(text, ["Anna de Vries"])
    for gone in ("82", "Utrecht", "Linde", "Anna", "Vries", "06-1234", "anna@", "www.", "Zorgcentrum"):
        assert gone not in out, gone
    assert "moeder" in out and "koor" in out and "GGZ" in out and GONE in out
    assert out.startswith("Mijn moeder") and "Hoe vind ik een koor" in out
    # lower-case places go too; the first word of a sentence stays
    assert "rotterdam" not in anonymise("Welk fonds betaalt theater in rotterdam?")
    assert (
        without_names("Beste Anna, probeer het koor in Utrecht.", ["Anna"])
        == f"Beste {GONE}, probeer het koor in Utrecht."
    )


def test_the_statement_names_the_settings_and_the_providers(tmp_path):
    local = statement(Settings(data_dir=tmp_path, retention_questions_days=30, retention_logs_days=7))
    assert "30 days" in local and "7 days" in local and "72 hours" in local
    assert "No LLM is configured" in local and "runs on this machine" in local
    hosted = statement(
        Settings(data_dir=tmp_path, llm="openai:gpt-4o-mini", embedding_model="openai:text-embedding-3-small")
    )
    assert "sent to OpenAI" in hosted and "question as typed" in hosted
    assert "every question asked is sent to OpenAI" in hosted
    ollama = statement(Settings(data_dir=tmp_path, llm="ollama:llama3.1"))
    assert "nothing leaves the machine" in ollama
    remote = statement(
        Settings(data_dir=tmp_path, llm="ollama:llama3.1", llm_base_url="https://llm.example.org")
    )
    assert "sent to the server at llm.example.org" in remote


def test_ids_and_full_names_match_in_any_case_a_one_word_name_only_as_written():
    pattern = mentions(["Zorg", "730012345", "Marieke Zonnebloem"])
    assert pattern is not None
    found = pattern.finditer("Zorg en zorg; MARIEKE ZONNEBLOEM; 17300123456; id 730012345.")
    assert found == ["Zorg", "MARIEKE ZONNEBLOEM", "730012345"]


def test_a_first_name_alone_leaves_longer_names_and_other_peoples_names_alone():
    # Forgetting "Jan" (Jan Köster) must not make "een lid Pietersen" of another member.
    pattern = mentions(["Jan", "Jan Köster", "730055501"], protected=["Piet Jan"])
    assert pattern is not None
    text = "Jan zei: vraag Jan Pietersen, Jan de Vries, Jan-Willem of Piet Jan; JAN KÖSTER (730055501). Jan."
    assert pattern.sub("X", text) == (
        "X zei: vraag Jan Pietersen, Jan de Vries, Jan-Willem of Piet Jan; X (X). X."
    )
    assert pattern.finditer("Janssen en janneke, de Jan Steenschool") == []


def test_the_trace_search_reads_escaped_json_and_the_files_an_outbox_row_carries(tmp_path):
    sessions = open_settings_database(make_settings(tmp_path / "data"))
    export = Attachment("rapport.csv", "text/csv", "vraag,wie\nkoor,Jan Köster\n".encode())
    chart = Attachment("grafiek.png", "image/png", b"\x89PNG\r\n\x1a\n\xff\xfe")
    with sessions.begin() as s:
        enqueue(s, Reply(ChatRef("slack", "UMOD1"), "Nieuwe tip van Jan Köster", "nl"))  # stored as \u00f6
        enqueue(s, Reply(ChatRef("slack", "UMOD1"), "Het rapport", "nl", files=(export, chart)))
        enqueue(s, Reply(ChatRef("slack", "UMOD1"), "Bel JAN KÖSTER", "nl"))  # SQLite folds ASCII only
    with sessions() as s:
        found = find(s, ["Jan Köster"])
    assert sorted((tr.table, tr.column) for tr in found) == [("outbox", "payload")] * 3
    with sessions.begin() as s:
        assert wipe(s, ["Jan Köster"], "een lid") == 3
    with sessions() as s:
        assert find(s, ["Jan Köster"]) == []
        rows = [r.payload for r in s.query(OutboxRecord).order_by(OutboxRecord.id)]
    assert rows[0]["text"] == "Nieuwe tip van een lid"
    files = {f["name"]: base64.b64decode(f["data"]) for f in rows[1]["files"]}
    assert files == {"rapport.csv": b"vraag,wie\nkoor,een lid\n", "grafiek.png": chart.data}
