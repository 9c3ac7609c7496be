"""Search every table for a person's ids and names, and wipe what is left of them.

The search reads the metadata, not a list: every text, string and JSON column of every table is
looked at, so a table added later is searched too. A needle matches as a whole word (so the id
"4242" is not found in "142420"); see `mentions` for case.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Engine, String, Table, Text, cast, delete, or_, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from storage.db import Base

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Trace:
    """One place a needle was found."""

    table: str
    key: tuple[Any, ...]
    column: str
    needle: str


# Words that join a first name to the rest of a longer name ("Jan de Vries", "Jan van der Berg").
_JOINERS = r"(?:(?:van|von|de|der|den|het|ten|ter|te|la|le|du|da|di|'t)\s+)*"
_NEXT_WORD = re.compile(r"[ \t-]" + _JOINERS + r"([^\W\d_])")


@dataclass(frozen=True)
class Mentions:
    """Finds and replaces the needles in a text, each as a whole word.

    Ids and names of two or more words match in any case. A one-word name (a first name alone)
    only as written, and not where it is part of a longer name: not when a capitalised word
    follows it ("Jan Pietersen", "Jan de Vries", "Jan-Willem", "de Jan Steenschool"), and not
    inside a name in `protected` (other people's names that contain it). So forgetting someone
    called "Zorg" or "Jan" leaves "zorg" and everyone else called Jan as they were."""

    loose: re.Pattern[str] | None
    exact: re.Pattern[str] | None
    protected: re.Pattern[str] | None

    def _exact_spans(self, text: str) -> list[tuple[int, int]]:
        if self.exact is None:
            return []
        shielded = [m.span() for m in self.protected.finditer(text)] if self.protected else []
        out = []
        for m in self.exact.finditer(text):
            start, end = m.span(1)
            after = _NEXT_WORD.match(text, end)
            if (after and after.group(1).isupper()) or any(a <= start and end <= b for a, b in shielded):
                continue
            out.append((start, end))
        return out

    def finditer(self, text: str) -> list[str]:
        """The needles found, in order."""
        found = [(m.start(1), m.group(1)) for m in self.loose.finditer(text)] if self.loose else []
        found += [(a, text[a:b]) for a, b in self._exact_spans(text)]
        return [w for _, w in sorted(found)]

    def search(self, text: str) -> bool:
        """Whether any needle is in the text."""
        return bool((self.loose and self.loose.search(text)) or self._exact_spans(text))

    def sub(self, by: str, text: str) -> str:
        """The text with every needle replaced by `by`."""
        if self.loose is not None:
            text = self.loose.sub(by, text)
        for a, b in reversed(self._exact_spans(text)):
            text = text[:a] + by + text[b:]
        return text


def _words(words: Iterable[str], flags: str = "") -> re.Pattern[str] | None:
    ordered = sorted(set(words), key=len, reverse=True)
    if not ordered:
        return None
    body = "|".join(re.escape(w) for w in ordered)
    return re.compile(r"(?<!\w)(" + (f"(?{flags}:{body})" if flags else body) + r")(?!\w)")


def mentions(needles: Iterable[str], protected: Iterable[str] = ()) -> Mentions | None:
    """What finds the needles as whole words (None: no needles); see `Mentions` for case."""
    words = {n for n in needles if n}
    if not words:
        return None
    exact = {w for w in words if w.isalpha()}
    shield = {p for p in protected if p and p.strip() not in words and any(w in p for w in exact)}
    return Mentions(_words(words - exact, "i"), _words(exact), _words(shield, "i"))


def text_columns(t: Table) -> list[str]:
    """The columns of a table that hold text or JSON."""
    return [c.name for c in t.columns if isinstance(c.type, String | Text | JSON)]


def _file_text(f: Any) -> str | None:
    """The text of a file carried in a JSON value (an outbox row's `files`: base64), if it is text."""
    if not (isinstance(f, dict) and isinstance(f.get("data"), str) and "mime" in f):
        return None
    try:
        return base64.b64decode(f["data"], validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return ""  # a chart, a PDF: the bot writes no names into those


def _as_text(value: Any) -> str:
    """A value as searchable text: JSON without escapes, and the text of the files it carries."""
    if isinstance(value, dict | list):
        files = [x for x in _leaves_files(value) if x]
        return "\n".join([json.dumps(value, ensure_ascii=False), *files])
    return "" if value is None else str(value)


def _leaves_files(value: Any) -> list[str]:
    if isinstance(value, dict):
        text = _file_text(value)
        if text is not None:
            return [text]
        return [t for v in value.values() for t in _leaves_files(v)]
    if isinstance(value, list):
        return [t for v in value for t in _leaves_files(v)]
    return []


def _scrub(value: Any, pattern: Mentions, by: str) -> Any:
    if isinstance(value, str):
        return pattern.sub(by, value)
    if isinstance(value, dict):
        text = _file_text(value)
        if text is not None:  # a file: its text scrubbed (a chart or PDF holds no names: as it is)
            if not text or not pattern.search(text):
                return value
            return {**value, "data": base64.b64encode(pattern.sub(by, text).encode()).decode("ascii")}
        return {k: _scrub(v, pattern, by) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, pattern, by) for v in value]
    return value


def written_forms(needle: str) -> list[str]:
    """How a needle can be written in a column: as is, in capitals, JSON-escaped (ö as \\u00f6).
    The capitals because SQLite's case-insensitive LIKE folds ASCII only: "KÖSTER" is no "köster"."""
    forms = [needle, needle.upper()]
    return list(dict.fromkeys([*forms, *(json.dumps(f)[1:-1] for f in forms)]))


def _candidates(s: Session, t: Table, columns: list[str], needles: list[str]) -> list[Any]:
    """Rows where a column may contain a needle (SQL, case-insensitive substring: checked again
    after). A JSON column that carries files (base64) is always read: its text is not searchable."""
    if not columns:
        return []
    clauses = [
        cast(t.c[c], String).ilike(f"%{v}%") for c in columns for n in needles for v in written_forms(n)
    ]
    clauses += [cast(t.c[c], String).like('%"data": "%') for c in columns if isinstance(t.c[c].type, JSON)]
    return list(s.execute(select(t).where(or_(*clauses))))


def _rows_with(
    s: Session, needles: list[str], skip: Iterable[str]
) -> Iterator[tuple[str, Table, list[str], list[str], Any]]:
    """Every row of every table (but `skip`) that may hold a needle: (table name, table, its text
    columns, its key columns, the row's mapping); the caller's pattern decides per value."""
    for name, t in sorted(Base.metadata.tables.items()):
        if name in skip:
            continue
        columns = text_columns(t)
        key_cols = [c.name for c in t.primary_key.columns]
        for row in _candidates(s, t, columns, needles):
            yield name, t, columns, key_cols, row._mapping


def find(
    s: Session, needles: Iterable[str], skip: Iterable[str] = (), protected: Iterable[str] = ()
) -> list[Trace]:
    """Every place in the database one of the needles is found (empty: nothing left)."""
    needles = [n for n in dict.fromkeys(needles) if n]
    pattern = mentions(needles, protected)
    if pattern is None:
        return []
    return [
        Trace(name, tuple(m[k] for k in key_cols), c, hit)
        for name, _t, columns, key_cols, m in _rows_with(s, needles, skip)
        for c in columns
        for hit in pattern.finditer(_as_text(m[c]))
    ]


def wipe(
    s: Session, needles: Iterable[str], by: str, keep: Iterable[str] = (), protected: Iterable[str] = ()
) -> int:
    """Replace every remaining needle in every table by `by`; how many values changed.

    `keep` names tables left alone (the documents of the ingested corpus are not about members);
    `protected` are other people's names that hold a one-word needle (see `Mentions`)."""
    needles = [n for n in dict.fromkeys(needles) if n]
    pattern = mentions(needles, protected)
    if pattern is None:
        return 0
    changed = 0
    for _name, t, columns, key_cols, m in _rows_with(s, needles, keep):
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


def secure(s: Session) -> None:
    """In a SQLite transaction: what it deletes or overwrites is zeroed on its page, not left in
    the file's free space (the connection keeps this on; other databases: nothing to do)."""
    if s.get_bind().dialect.name == "sqlite":
        s.execute(text("PRAGMA secure_delete=ON"))


def compact(sessions: sessionmaker[Session], vacuum: bool = True) -> bool:
    """SQLite keeps deleted and overwritten rows in its free pages and write-ahead log until they
    are reused: rewrite the file without them (VACUUM; not needed after `secure` writes) and empty
    the log. False when the database is not SQLite, or is busy (then the pages are reused in time;
    the next erasure or retention run tries again)."""
    engine = sessions.kw.get("bind")
    if not isinstance(engine, Engine) or engine.dialect.name != "sqlite":
        return False
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if vacuum:
                conn.exec_driver_sql("VACUUM")
            busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
    except OperationalError as exc:
        log.warning("privacy: the database could not be compacted (%s)", exc.orig)
        return False
    return not (busy and busy[0])
