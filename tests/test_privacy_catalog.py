"""The privacy catalog knows every table; the paraphrase rule; the statement of `verbinder privacy`."""

from __future__ import annotations

import re

from app.schema import metadata
from bot.config import Settings
from bot.privacy.catalog import COVERAGE, NOT_PERSONAL, unclassified
from bot.privacy.paraphrase import GONE, anonymise, without_names
from bot.privacy.statement import statement
from bot.privacy.traces import mentions, text_columns

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
    found = pattern.findall("Zorg en zorg; MARIEKE ZONNEBLOEM; 17300123456; id 730012345.")
    assert found == ["Zorg", "MARIEKE ZONNEBLOEM", "730012345"]
