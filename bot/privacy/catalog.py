"""Every table, and which of its rows are about a person: the one map the export, forget-me and the
trace check share. A table missing here fails a test (tests/test_privacy_catalog.py): whoever adds
a table says here how it relates to people, or why it does not."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import String, Table, cast, false, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.privacy.subject import Subject, accounts_clause, table
from bot.privacy.traces import mentions, written_forms
from storage.db import Base

Where = Callable[[Table, Subject], ColumnElement[bool]]
Check = Callable[[dict[str, Any], Subject], bool]  # a second look at a row the SQL clause found


def _in(column: str, ids: Callable[[Subject], tuple[Any, ...]]) -> Where:
    return lambda t, sub: t.c[column].in_(ids(sub)) if ids(sub) else false()


def _any(*wheres: Where) -> Where:
    return lambda t, sub: or_(*(w(t, sub) for w in wheres))


def _accounts(t: Table, sub: Subject) -> ColumnElement[bool]:
    return accounts_clause(t, sub.accounts)


def _mentions(column: str, values: Callable[[Subject], tuple[str, ...]]) -> Where:
    """A JSON or text column that contains one of the values (checked again in Python)."""
    return lambda t, sub: or_(
        false(), *(cast(t.c[column], String).contains(f) for v in values(sub) for f in written_forms(v))
    )


def _handled(t: Table, sub: Subject) -> ColumnElement[bool]:
    # An event key is platform:chat:message; in a private chat the chat is the person.
    return or_(false(), *(t.c.key.startswith(f"{p}:{chat}:") for p, chat in sub.direct_chats))


def _audit(t: Table, sub: Subject) -> ColumnElement[bool]:
    return or_(
        t.c.target == sub.person_ref, t.c.target.startswith(sub.person_ref + " "), t.c.actor.in_(sub.actors)
    )


def _forget_job(t: Table, sub: Subject) -> ColumnElement[bool]:
    return t.c.name == f"privacy.forget:{sub.person_id}"


def _outbox_chat(row: dict[str, Any], sub: Subject) -> bool:
    chat = ((row.get("payload") or {}).get("chat") or {}) if isinstance(row.get("payload"), dict) else {}
    return (
        row.get("question_id") in sub.question_ids
        or row.get("expert_id") in sub.expert_ids
        or (row.get("platform"), chat.get("chat_id")) in sub.direct_chats
        or (row.get("platform"), row.get("target_chat")) in sub.direct_chats
        or _says(row, "payload", sub)  # a notice about them to others (their tip to the moderators)
    )


def _names_in(column: str) -> Check:
    return lambda row, sub: _says(row, column, sub, sub.names)


def _says(row: dict[str, Any], column: str, sub: Subject, needles: tuple[str, ...] | None = None) -> bool:
    """Whether a text or JSON value names them (a whole word: see bot/privacy/traces.py)."""
    pattern = mentions(sub.needles() if needles is None else needles, sub.protected)
    value = row.get(column)
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value or "")
    return bool(pattern and pattern.search(text))


_dm_ids: Callable[[Subject], tuple[str, ...]] = lambda sub: tuple(c for _, c in sub.direct_chats)  # noqa: E731

# table -> the rows about the subject. What the member gets in /mijn_gegevens, and what forget-me erases.
COVERAGE: dict[str, Where] = {
    "people": lambda t, sub: t.c.id == sub.person_id,
    "accounts": lambda t, sub: t.c.person_id == sub.person_id,
    "roles": lambda t, sub: t.c.person_id == sub.person_id,
    "link_codes": _accounts,
    "audit_log": _audit,
    "questions": _accounts,
    "question_events": _any(
        _in("question_id", lambda s: s.question_ids), _in("actor", lambda s: s.user_ids + s.actors)
    ),
    "message_refs": _in("question_id", lambda s: s.question_ids),
    "feedback": _in("user_id", lambda s: s.user_ids),
    "handled_events": _handled,
    "routings": _any(
        _in("question_id", lambda s: s.question_ids),
        _in("claimed_by", lambda s: s.expert_ids),
        _in("answered_by", lambda s: s.expert_ids),
    ),
    "offers": _any(_in("question_id", lambda s: s.question_ids), _in("expert_id", lambda s: s.expert_ids)),
    "routed_messages": _any(
        _in("question_id", lambda s: s.question_ids), _in("expert_id", lambda s: s.expert_ids)
    ),
    "experts": _in("id", lambda s: s.expert_ids),
    "outbox": _any(
        _in("question_id", lambda s: s.question_ids),
        _in("expert_id", lambda s: s.expert_ids),
        _in("target_chat", _dm_ids),
        _mentions("payload", lambda s: s.needles()),
    ),
    "scheduled_jobs": _forget_job,
    "submissions": lambda t, sub: t.c.author_id == sub.person_id,
    "form_drafts": _accounts,
    "events": _in("submission_id", lambda s: s.submission_ids),
    "kb_documents": _in("path", lambda s: s.kb_paths),
    "kb_chunks": _in("doc_path", lambda s: s.kb_paths),
    "highlight_weeks": _in("decided_by", lambda s: s.actors),
    "highlight_posts": _mentions("thread", lambda s: s.names),
    "announcements": _in("id", lambda s: s.announcement_ids),
    "announcement_deliveries": _in("announcement_id", lambda s: s.announcement_ids),
}

# Rows the SQL clause over-selects (a JSON text search) and Python looks at once more.
CHECKS: dict[str, Check] = {"outbox": _outbox_chat, "highlight_posts": _names_in("thread")}

# Tables that hold nothing about anyone, and why.
NOT_PERSONAL: dict[str, str] = {
    "kb_meta": "facts about the index (embedding model, versions)",
    "pseudonym_keys": "the installation's key for pseudonyms; no ids",
}


def tables() -> list[str]:
    """Every table of the metadata, sorted."""
    return sorted(Base.metadata.tables)


def unclassified() -> list[str]:
    """Tables neither covered nor declared impersonal (must be empty)."""
    return [name for name in tables() if name not in COVERAGE and name not in NOT_PERSONAL]


def rows_about(s: Session, name: str, sub: Subject) -> list[dict[str, Any]]:
    """The rows of one table that are about the subject, as plain dicts."""
    where = COVERAGE.get(name)
    if where is None:
        return []
    t = table(name)
    rows = [dict(r._mapping) for r in s.execute(select(t).where(where(t, sub)))]
    check = CHECKS.get(name)
    return [r for r in rows if check(r, sub)] if check else rows
