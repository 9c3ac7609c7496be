"""Search every table for a person's ids and names, and wipe what is left of them.

The search reads the metadata, not a list: every text, string and JSON column of every table is
looked at, so a table added later is searched too. A needle matches as a whole word (so the id
"4242" is not found in "142420"); see `mentions` for case.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, String, Table, Text, cast, delete, or_, select, update
from sqlalchemy.orm import Session

from storage.db import Base


@dataclass(frozen=True)
class Trace:
    """One place a needle was found."""

    table: str
    key: tuple[Any, ...]
    column: str
    needle: str


def mentions(needles: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern that finds any of the needles as a whole word (None: no needles).

    Ids and names of two or more words match in any case; a one-word name only as written, so
    forgetting someone called "Zorg" does not take the word "zorg" out of everyone's questions."""
    words = sorted({n for n in needles if n}, key=len, reverse=True)
    if not words:
        return None
    loose = [re.escape(w) for w in words if not w.isalpha()]
    exact = [re.escape(w) for w in words if w.isalpha()]
    parts = ([f"(?i:{'|'.join(loose)})"] if loose else []) + exact
    return re.compile(r"(?<!\w)(" + "|".join(parts) + r")(?!\w)")


def text_columns(t: Table) -> list[str]:
    """The columns of a table that hold text or JSON."""
    return [c.name for c in t.columns if isinstance(c.type, String | Text | JSON)]


def _as_text(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def _scrub(value: Any, pattern: re.Pattern[str], by: str) -> Any:
    if isinstance(value, str):
        return pattern.sub(by, value)
    if isinstance(value, dict):
        return {k: _scrub(v, pattern, by) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, pattern, by) for v in value]
    return value


def _candidates(s: Session, t: Table, columns: list[str], needles: list[str]) -> list[Any]:
    """Rows where a column contains a needle (SQL, case-insensitive substring: checked again after)."""
    clauses = [cast(t.c[c], String).ilike(f"%{n}%") for c in columns for n in needles]
    return list(s.execute(select(t).where(or_(*clauses)))) if clauses else []


def find(s: Session, needles: Iterable[str], skip: Iterable[str] = ()) -> list[Trace]:
    """Every place in the database one of the needles is found (empty: nothing left)."""
    needles = [n for n in dict.fromkeys(needles) if n]
    pattern = mentions(needles)
    if pattern is None:
        return []
    found: list[Trace] = []
    for name, t in sorted(Base.metadata.tables.items()):
        if name in skip:
            continue
        columns = text_columns(t)
        key_cols = [c.name for c in t.primary_key.columns]
        for row in _candidates(s, t, columns, needles):
            m = row._mapping
            for c in columns:
                for hit in pattern.finditer(_as_text(m[c])):
                    found.append(Trace(name, tuple(m[k] for k in key_cols), c, hit.group(1)))
    return found


def wipe(s: Session, needles: Iterable[str], by: str, keep: Iterable[str] = ()) -> int:
    """Replace every remaining needle in every table by `by`; how many values changed.

    `keep` names tables left alone (the documents of the ingested corpus are not about members)."""
    needles = [n for n in dict.fromkeys(needles) if n]
    pattern = mentions(needles)
    if pattern is None:
        return 0
    changed = 0
    for name, t in sorted(Base.metadata.tables.items()):
        if name in keep:
            continue
        columns = text_columns(t)
        key_cols = [c.name for c in t.primary_key.columns]
        for row in _candidates(s, t, columns, needles):
            m = row._mapping
            values = {c: _scrub(m[c], pattern, by) for c in columns if pattern.search(_as_text(m[c]))}
            if not values:
                continue
            where = [t.c[k] == m[k] for k in key_cols]
            if set(values) & set(key_cols):  # a row keyed by the person (an id in its key): it goes
                s.execute(delete(t).where(*where))
            else:
                s.execute(update(t).where(*where).values(**values))
            changed += len(values)
    return changed
