"""Who a privacy request is about: a person with every id, account, name and item that points to them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Table, and_, false, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from storage.db import Base

Account = tuple[str, str]  # (platform, user id)
MIN_NAME = 3  # shorter names ("Jo") are not searched for: they would match inside other words
MIN_ID = 4  # shorter account ids only occur in tests; real Slack and Telegram ids are longer
# Where people's names are written: another person's name here that holds a one-word name of the
# subject ("Jan Pietersen" for "Jan") is left alone by the wipe (bot/privacy/traces.py).
NAME_COLUMNS = (
    ("people", "name"),
    ("accounts", "name"),
    ("experts", "name"),
    ("questions", "user_name"),
    ("submissions", "author_name"),
    ("submissions", "claimed_name"),
    ("form_drafts", "user_name"),
    ("events", "author_name"),
)


def table(name: str) -> Table:
    """A table of the metadata by name (every record module is imported by then: see app/schema.py)."""
    return Base.metadata.tables[name]


@dataclass(frozen=True)
class Subject:
    """A person and everything that identifies them or is theirs, read from the database."""

    person_id: int
    name: str
    accounts: tuple[Account, ...]
    names: tuple[str, ...]
    expert_ids: tuple[int, ...] = ()
    question_ids: tuple[int, ...] = ()
    submission_ids: tuple[int, ...] = ()
    announcement_ids: tuple[int, ...] = ()
    kb_paths: tuple[str, ...] = ()  # their tips and projects, and Q&A entries of their questions or answers
    direct_chats: tuple[Account, ...] = ()  # (platform, chat id) of their one-to-one chats with the bot
    protected: tuple[str, ...] = ()  # other people's names that hold one of their one-word names

    @property
    def user_ids(self) -> tuple[str, ...]:
        """Their platform user ids."""
        return tuple(u for _, u in self.accounts)

    @property
    def actors(self) -> tuple[str, ...]:
        """How they are written as an actor (audit log, announcements): platform:user_id."""
        return tuple(f"{p}:{u}" for p, u in self.accounts)

    @property
    def person_ref(self) -> str:
        """How the audit log names them as a target."""
        return f"person:{self.person_id}"

    def needles(self) -> tuple[str, ...]:
        """The strings that must not be found anywhere once they are forgotten."""
        ids = [u for u in self.user_ids if len(u) >= MIN_ID] + [
            c for _, c in self.direct_chats if len(c) >= MIN_ID
        ]
        names = [n for n in self.names if len(n.strip()) >= MIN_NAME]
        return tuple(dict.fromkeys([*ids, *self.actors, self.person_ref, *names]))


def accounts_clause(
    t: Table, accounts: tuple[Account, ...], p: str = "platform", u: str = "user_id"
) -> ColumnElement[bool]:
    """Rows of one of these accounts."""
    if not accounts:
        return false()
    return or_(*(and_(t.c[p] == platform, t.c[u] == uid) for platform, uid in accounts))


def subject_of(s: Session, person_id: int) -> Subject | None:
    """Everything that points to a person (None: no such person)."""
    person = s.execute(select(table("people")).where(table("people").c.id == person_id)).first()
    if person is None:
        return None
    acc = table("accounts")
    rows = s.execute(
        select(acc.c.platform, acc.c.user_id, acc.c.name).where(acc.c.person_id == person_id)
    ).all()
    accounts = tuple((r.platform, r.user_id) for r in rows)
    names = [person.name, *(r.name for r in rows)]
    ex = table("experts")
    by_identity = [ex.c.slack_user_id == u for p, u in accounts if p == "slack"]
    by_identity += [ex.c.telegram_user_id == u for p, u in accounts if p == "telegram"]
    experts = s.execute(select(ex.c.id, ex.c.name).where(or_(false(), *by_identity))).all()
    names += [e.name for e in experts]
    eids = tuple(e.id for e in experts)
    qt = table("questions")
    questions = s.execute(
        select(qt.c.id, qt.c.user_name, qt.c.platform, qt.c.chat_id).where(accounts_clause(qt, accounts))
    ).all()
    names += [q.user_name for q in questions]
    qids = tuple(q.id for q in questions)
    direct = {(p, u) for p, u in accounts if p == "telegram"}  # a private Telegram chat has the user's id
    direct |= {
        (q.platform, q.chat_id) for q in questions if q.platform == "slack" and q.chat_id.startswith("D")
    }
    sub = table("submissions")
    subs = s.execute(
        select(sub.c.id, sub.c.author_name, sub.c.kb_path).where(sub.c.author_id == person_id)
    ).all()
    names += [x.author_name for x in subs]
    rt = table("routings")
    qa = s.scalars(
        select(rt.c.kb_path).where(
            rt.c.kb_path != "", or_(rt.c.question_id.in_(qids), rt.c.answered_by.in_(eids))
        )
    ).all()
    fd = table("form_drafts")
    names += list(s.scalars(select(fd.c.user_name).where(accounts_clause(fd, accounts))))
    direct |= _slack_dms(s, eids)
    an = table("announcements")
    actors = [f"{p}:{u}" for p, u in accounts]
    anns = tuple(s.scalars(select(an.c.id).where(an.c.author.in_(actors))))
    clean = tuple(dict.fromkeys(n.strip() for n in names if n and n.strip()))
    return Subject(
        person_id=person_id,
        name=person.name,
        accounts=accounts,
        names=clean,
        expert_ids=eids,
        question_ids=qids,
        submission_ids=tuple(x.id for x in subs),
        announcement_ids=anns,
        kb_paths=tuple(dict.fromkeys([*(x.kb_path for x in subs if x.kb_path), *qa])),
        direct_chats=tuple(sorted(direct)),
        protected=_others_names(s, clean),
    )


def _slack_dms(s: Session, expert_ids: tuple[int, ...]) -> set[Account]:
    """Their Slack DM channels (D...) beyond those they asked in: Slack does not derive a DM's id
    from the user's, but the bot's offers to them as an expert went there."""
    if not expert_ids:
        return set()
    rm = table("routed_messages")
    dms = select(rm.c.chat_id).where(
        rm.c.platform == "slack", rm.c.expert_id.in_(expert_ids), rm.c.chat_id.startswith("D")
    )
    return {("slack", c) for c in s.scalars(dms)}


def _others_names(s: Session, names: tuple[str, ...]) -> tuple[str, ...]:
    """Names of other people that contain one of these one-word names as a word."""
    words = [n for n in names if n.isalpha() and len(n) >= MIN_NAME]
    if not words:
        return ()
    own = {n.lower() for n in names}
    found: set[str] = set()
    for name, column in NAME_COLUMNS:
        c = table(name).c[column]
        for w in words:
            found |= set(s.scalars(select(c).where(c.contains(w)).distinct()))
    pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, words)) + r")(?!\w)")
    return tuple(sorted(n for n in found if n and n.strip().lower() not in own and pattern.search(n)))
