"""A member's data export: every row about them, from every table the catalog covers, as JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.community.model import MODERATION_ACTIONS
from bot.messages import Attachment
from bot.privacy.catalog import COVERAGE, rows_about, tables
from bot.privacy.subject import Subject, subject_of
from bot.texts import t


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _withheld(row: dict[str, Any], sub: Subject) -> dict[str, Any]:
    """An outbox row about another member's question (an offer to them as an expert, the answer
    they gave that member) or another member's tip (a moderation notice) keeps its address and
    ids, not the other member's words: what they themselves wrote is in the other tables."""
    payload = row.get("payload")
    if not isinstance(payload, dict):
        return row
    buttons = payload.get("buttons") or ()
    items = {str(b.get("value")) for b in buttons if b.get("action") in MODERATION_ACTIONS}
    question = row.get("question_id")
    if (question is None or question in sub.question_ids) and items <= set(map(str, sub.submission_ids)):
        return row
    text = t("pv_export_withheld", str(payload.get("language") or "nl"))
    return {**row, "payload": {"chat": payload.get("chat"), "text": text}}


def collect(s: Session, sub: Subject) -> dict[str, list[dict[str, Any]]]:
    """Table name -> the rows about the subject (tables without any are left out)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name in tables():
        if name not in COVERAGE:
            continue
        found = rows_about(s, name, sub)
        if name == "outbox":
            found = [_withheld(r, sub) for r in found]
        rows = [{k: _plain(v) for k, v in r.items()} for r in found]
        if rows:
            out[name] = rows
    return out


def export(sessions: sessionmaker[Session], person_id: int, now: datetime) -> dict[str, Any] | None:
    """Everything stored about a person (None: no such person)."""
    with sessions() as s:
        sub = subject_of(s, person_id)
        if sub is None:
            return None
        data = collect(s, sub)
    return {
        "person": {"id": sub.person_id, "name": sub.name, "accounts": [f"{p}:{u}" for p, u in sub.accounts]},
        "exported_at": now.isoformat(timespec="seconds"),
        "tables": data,
    }


def to_json(doc: dict[str, Any]) -> bytes:
    """The export as readable JSON."""
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def to_csv(doc: dict[str, Any]) -> bytes:
    """The export as one CSV of table, row, column, value (lists and objects as JSON)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["table", "row", "column", "value"])
    for name, rows in sorted(doc["tables"].items()):
        for i, row in enumerate(rows, 1):
            for column, value in sorted(row.items()):
                text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value
                w.writerow([name, i, column, "" if text is None else text])
    return buf.getvalue().encode("utf-8")


def attachments(doc: dict[str, Any]) -> tuple[Attachment, ...]:
    """The two files a member gets."""
    stem = f"verbinder-gegevens-{doc['person']['id']}-{doc['exported_at'][:10]}"
    return (
        Attachment(f"{stem}.json", "application/json", to_json(doc)),
        Attachment(f"{stem}.csv", "text/csv", to_csv(doc)),
    )


def counts(doc: dict[str, Any]) -> dict[str, int]:
    """Rows per table (for the message that comes with the files)."""
    return {name: len(rows) for name, rows in sorted(doc["tables"].items())}
