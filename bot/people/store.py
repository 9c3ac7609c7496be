"""Who is who: a person per human across platforms, their roles, account linking and the audit log.

Admins come from the settings (VERBINDER_ADMINS) and from the roles table; moderators from the
roles table (and the older VERBINDER_MODERATORS setting). Every change of a role, a link or a
block is written to the audit log in the same transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.people.records import AccountRecord, AuditRecord, LinkCodeRecord, PersonRecord, RoleRecord
from bot.texts import Refusal, t
from storage.db import utcnow

MODERATOR = "moderator"
ADMIN = "admin"
ROLES = (MODERATOR, ADMIN)
PLATFORMS = ("slack", "telegram", "console")
LINK_CODE_TTL = timedelta(minutes=15)
_CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed over
CLI = "cli"

Account = tuple[str, str]  # (platform, user id)


class PeopleError(Refusal):
    """A refused change of roles, links or blocks."""


@dataclass(frozen=True)
class Person:
    """A person with their accounts and roles (admins are moderators too)."""

    id: int
    name: str
    accounts: tuple[Account, ...]
    roles: frozenset[str]
    blocked: bool = False

    @property
    def label(self) -> str:
        """How the person is named to others."""
        return self.name or (
            f"{self.accounts[0][0]}:{self.accounts[0][1]}" if self.accounts else f"#{self.id}"
        )

    @property
    def moderator(self) -> bool:
        """Whether the person may moderate."""
        return bool(self.roles & {MODERATOR, ADMIN})

    @property
    def admin(self) -> bool:
        """Whether the person is an admin."""
        return ADMIN in self.roles


def actor_of(platform: str, user_id: str) -> str:
    """How an actor is written in the audit log."""
    return f"{platform}:{user_id}"


def parse_accounts(spec: str) -> frozenset[Account]:
    """'slack:U1, telegram:42' as (platform, user id) pairs (the settings' format)."""
    pairs = (part.strip().split(":", 1) for part in spec.split(",") if ":" in part)
    return frozenset((p.strip().lower(), u.strip()) for p, u in pairs if p.strip() and u.strip())


class People:
    """Persons, accounts, roles, link codes and the audit log, all in the database."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        admins: frozenset[Account] = frozenset(),
        moderators: frozenset[Account] = frozenset(),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.admins = admins
        self.moderators = moderators
        self.clock = clock
        # Told inside the linking transaction: (session, the person now) and (session, kept id, merged id).
        self.link_listeners: list[Callable[[Session, Person], None]] = []
        self.merge_listeners: list[Callable[[Session, int, int], None]] = []

    # -- lookup ---------------------------------------------------------------------------

    def _person(self, s: Session, person_id: int) -> Person | None:
        row = s.get(PersonRecord, person_id)
        if row is None:
            return None
        accounts = tuple(
            (a.platform, a.user_id)
            for a in s.scalars(
                select(AccountRecord)
                .where(AccountRecord.person_id == person_id)
                .order_by(AccountRecord.platform)
            )
        )
        roles = set(s.scalars(select(RoleRecord.role).where(RoleRecord.person_id == person_id)))
        if any(a in self.admins for a in accounts):
            roles.add(ADMIN)
        if any(a in self.moderators for a in accounts):
            roles.add(MODERATOR)
        return Person(row.id, row.name, accounts, frozenset(roles), row.blocked)

    def _ensure(self, s: Session, platform: str, user_id: str, name: str = "") -> int:
        acc = s.get(AccountRecord, (platform, str(user_id)))
        if acc is not None:
            if name and not acc.name:
                acc.name = name[:200]
                person = s.get(PersonRecord, acc.person_id)
                if person is not None and not person.name:
                    person.name = name[:200]
            return acc.person_id
        now = self.clock()
        person = PersonRecord(name=name[:200], blocked=False, created_at=now)
        s.add(person)
        s.flush()
        s.add(
            AccountRecord(
                platform=platform, user_id=str(user_id), person_id=person.id, name=name[:200], created_at=now
            )
        )
        s.flush()
        return person.id

    def person(self, platform: str, user_id: str, name: str = "") -> Person:
        """The person behind an account, made on first sight."""
        for _ in range(3):  # two first messages of one new account at once: one insert wins
            try:
                with self.sessions.begin() as s:
                    pid = self._ensure(s, platform, str(user_id), name)
                    found = self._person(s, pid)
                    assert found is not None
                    return found
            except IntegrityError:
                continue
        raise RuntimeError(f"could not record the account {platform}:{user_id}")

    def find(self, platform: str, user_id: str) -> Person | None:
        """The person behind an account, or None (reads only)."""
        with self.sessions() as s:
            acc = s.get(AccountRecord, (platform, str(user_id)))
            if acc is not None:
                return self._person(s, acc.person_id)
        return None

    def get(self, person_id: int) -> Person | None:
        """A person by id."""
        with self.sessions() as s:
            return self._person(s, person_id)

    def resolve(self, ref: str) -> Person | None:
        """A person named as platform:user_id, #id or by name (exactly one match)."""
        ref = ref.strip()
        if ref.startswith("#") and ref[1:].isdigit():
            return self.get(int(ref[1:]))
        if ":" in ref:
            platform, uid = ref.split(":", 1)
            if platform.strip().lower() in PLATFORMS and uid.strip():
                return self.person(platform.strip().lower(), uid.strip())
        with self.sessions() as s:
            ids = set(s.scalars(select(PersonRecord.id).where(PersonRecord.name == ref)))
            ids |= set(s.scalars(select(AccountRecord.person_id).where(AccountRecord.name == ref)))
            return self._person(s, ids.pop()) if len(ids) == 1 else None

    def is_moderator(self, platform: str, user_id: str) -> bool:
        """Moderator or admin (by setting or role)."""
        if (platform, str(user_id)) in self.admins | self.moderators:
            return True
        p = self.find(platform, user_id)
        return bool(p and p.moderator and not p.blocked)

    def is_admin(self, platform: str, user_id: str) -> bool:
        """Admin, by setting or role."""
        if (platform, str(user_id)) in self.admins:
            return True
        p = self.find(platform, user_id)
        return bool(p and p.admin and not p.blocked)

    def with_role(self, role: str) -> list[Person]:
        """Everyone who holds a role (moderator: admins included); reads only, never writes."""
        wanted = {role, ADMIN} if role == MODERATOR else {role}
        configured = self.admins | (self.moderators if role == MODERATOR else frozenset())
        with self.sessions() as s:
            ids = set(s.scalars(select(RoleRecord.person_id).where(RoleRecord.role.in_(wanted))))
            unseen: list[Account] = []
            for platform, uid in sorted(configured):
                acc = s.get(AccountRecord, (platform, uid))
                if acc is not None:
                    ids.add(acc.person_id)
                else:
                    unseen.append((platform, uid))
            found = [p for p in (self._person(s, i) for i in sorted(ids)) if p is not None]
        roles = frozenset({ADMIN} if role == ADMIN else {MODERATOR})
        # A configured admin or moderator who never wrote to the bot yet: known by the account alone.
        found += [Person(0, "", (a,), roles | ({ADMIN} if a in self.admins else set())) for a in unseen]
        return [p for p in found if not p.blocked]

    def moderator_names(self, limit: int = 5) -> str:
        """Who can moderate, for a refusal ("ask Anna or Piet")."""
        return ", ".join(p.label for p in self.with_role(MODERATOR)[:limit]) or "-"

    def refusal(self, platform: str, user_id: str, lang: str) -> str | None:
        """None for a moderator or admin; for anyone else the polite refusal that names who can."""
        if self.is_moderator(platform, user_id):
            return None
        return t("not_moderator", lang, who=self.moderator_names())

    def moderator_accounts(self) -> list[Account]:
        """Every account of every moderator and admin (where to tell them something)."""
        return sorted({a for p in self.with_role(MODERATOR) for a in p.accounts if a[0] != "console"})

    # -- roles ----------------------------------------------------------------------------

    def grant(self, actor: str, person: Person, role: str) -> Person:
        """Give a role (idempotent); audited."""
        with self.sessions.begin() as s:
            if s.get(RoleRecord, (person.id, role)) is None:
                s.add(RoleRecord(person_id=person.id, role=role, granted_by=actor, granted_at=self.clock()))
            self._audit(s, actor, f"grant_{role}", person)
            found = self._person(s, person.id)
        assert found is not None
        return found

    def revoke(self, actor: str, person: Person, role: str) -> Person:
        """Take a role away; refuses for the last admin and for admins set in the settings."""
        with self.sessions.begin() as s:
            current = self._person(s, person.id)
            if current is None:
                raise PeopleError("person_unknown", who=person.label)
            if any(a in self.admins for a in current.accounts):  # admins are moderators too
                raise PeopleError("admin_by_setting", who=current.label)
            if role == MODERATOR and any(a in self.moderators for a in current.accounts):
                raise PeopleError("moderator_by_setting", who=current.label)
            if ADMIN in current.roles and role in (ADMIN, MODERATOR):
                others = [p for p in self.with_role(ADMIN) if p.id != current.id]
                if not others:
                    raise PeopleError("last_admin", who=current.label)
            if role == MODERATOR:  # an admin who stops moderating stops being admin too
                s.execute(delete(RoleRecord).where(RoleRecord.person_id == person.id))
            else:
                s.execute(
                    delete(RoleRecord).where(RoleRecord.person_id == person.id, RoleRecord.role == role)
                )
            self._audit(s, actor, f"revoke_{role}", current)
            found = self._person(s, person.id)
        assert found is not None
        return found

    def set_blocked(self, actor: str, person: Person, blocked: bool) -> Person:
        """Remove a person from the community (or let them back); audited."""
        if blocked and person.admin:
            raise PeopleError("cannot_block_admin", who=person.label)
        with self.sessions.begin() as s:
            s.execute(update(PersonRecord).where(PersonRecord.id == person.id).values(blocked=blocked))
            self._audit(s, actor, "block" if blocked else "unblock", person)
            found = self._person(s, person.id)
        assert found is not None
        return found

    # -- linking --------------------------------------------------------------------------

    def new_link_code(self, platform: str, user_id: str) -> str:
        """A one-time code for linking this account to one on another platform."""
        now = self.clock()
        code = "".join(secrets.choice(_CODE_LETTERS) for _ in range(6))
        with self.sessions.begin() as s:
            s.execute(delete(LinkCodeRecord).where(LinkCodeRecord.expires_at < now))
            s.execute(
                delete(LinkCodeRecord).where(
                    LinkCodeRecord.platform == platform, LinkCodeRecord.user_id == str(user_id)
                )
            )
            s.add(
                LinkCodeRecord(
                    code=code, platform=platform, user_id=str(user_id), expires_at=now + LINK_CODE_TTL
                )
            )
        return code

    def link(self, platform: str, user_id: str, code: str) -> Person:
        """Join this account to the account that made the code; the code is used up."""
        code = code.strip().upper().replace(" ", "")
        now = self.clock()
        with self.sessions.begin() as s:
            row = s.get(LinkCodeRecord, code) if code else None
            if row is None or row.expires_at < now:
                raise PeopleError("link_code_unknown")
            if row.platform == platform:
                raise PeopleError("link_same_platform")
            s.delete(row)
            keep = self._ensure(s, row.platform, row.user_id)
            gone = self._ensure(s, platform, str(user_id))
            if keep != gone:
                self._merge(s, keep, gone)
            person = self._person(s, keep)
            assert person is not None
            self._audit(s, actor_of(platform, user_id), "link", person, f"{row.platform}:{row.user_id}")
            for listener in self.link_listeners:
                listener(s, person)
        return person

    def _merge(self, s: Session, keep: int, gone: int) -> None:
        """Move one person's accounts and roles to another (the linked accounts are one person now)."""
        held = set(s.scalars(select(RoleRecord.role).where(RoleRecord.person_id == keep)))
        for role in s.scalars(select(RoleRecord).where(RoleRecord.person_id == gone)).all():
            if role.role not in held:
                s.add(
                    RoleRecord(
                        person_id=keep, role=role.role, granted_by=role.granted_by, granted_at=role.granted_at
                    )
                )
        s.execute(delete(RoleRecord).where(RoleRecord.person_id == gone))
        s.execute(update(AccountRecord).where(AccountRecord.person_id == gone).values(person_id=keep))
        old = s.get(PersonRecord, gone)
        new = s.get(PersonRecord, keep)
        if old is not None and new is not None:
            new.name = new.name or old.name
            new.blocked = new.blocked or old.blocked
            for listener in self.merge_listeners:
                listener(s, keep, gone)
            s.delete(old)

    # -- audit ----------------------------------------------------------------------------

    def _audit(self, s: Session, actor: str, action: str, person: Person, detail: str = "") -> None:
        audit(s, actor, action, f"person:{person.id} {person.label}", detail, self.clock())

    def audit_log(self, limit: int = 50, action: str = "") -> list[AuditRecord]:
        """The latest audit entries, newest first."""
        with self.sessions() as s:
            q = select(AuditRecord).order_by(AuditRecord.id.desc()).limit(limit)
            if action:
                q = q.where(AuditRecord.action.startswith(action))
            return list(s.scalars(q))


def audit(s: Session, actor: str, action: str, target: str, detail: str, now: datetime) -> None:
    """Write one audit entry inside the caller's transaction."""
    s.add(
        AuditRecord(at=now, actor=actor[:120], action=action[:40], target=target[:120], detail=detail[:2000])
    )
