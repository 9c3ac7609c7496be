"""Expert profiles: registration, import from YAML, availability, load and platform identities."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.experts.records import ExpertRecord, RoutingRecord
from bot.language import supported
from storage.db import utcnow

FOREVER = datetime(9999, 12, 31)
# The platforms an expert can be reached on, each with its user-id column (in this order of preference).
IDENTITY_COLUMNS = {"slack": ExpertRecord.slack_user_id, "telegram": ExpertRecord.telegram_user_id}
PLATFORMS = tuple(IDENTITY_COLUMNS)
# What a user id looks like on each platform, and how to say it to the person who typed it.
IDENTITY_FORMS = {
    "slack": (re.compile(r"[UW][A-Z0-9]{1,20}"), "a Slack member id such as U0123ABC"),
    "telegram": (re.compile(r"[1-9]\d{0,15}"), "a Telegram user id: digits only, such as 123456789"),
}


def _identity(platform: str, value: object, name: str) -> str | None:
    """A validated platform user id, or None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ExpertError(f"{name}: {platform} user id {value!r} is not {IDENTITY_FORMS[platform][1]}")
    text = str(value).strip()
    if not text:
        return None
    pattern, form = IDENTITY_FORMS[platform]
    if not pattern.fullmatch(text):
        raise ExpertError(f"{name}: {platform} user id {text!r} is not {form}")
    return text


_ID_FIELDS = {"slack": ("slack_user_id", "slack"), "telegram": ("telegram_user_id", "telegram")}


def _given_ids(item: dict[str, object]) -> list[tuple[str, str]]:
    """The (platform, user id) pairs an import entry gives, as written."""
    return [
        (p, str(v).strip())
        for p, keys in _ID_FIELDS.items()
        for k in keys
        if isinstance(v := item.get(k), str | int) and str(v).strip()
    ]


def _capacity(value: object, name: str) -> int:
    if isinstance(value, bool) or not (
        isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())
    ):
        raise ExpertError(f"{name}: capacity {value!r} must be a whole number between 1 and 100")
    n = int(value)
    if not 0 < n <= 100:
        raise ExpertError(f"{name}: capacity must be between 1 and 100")
    return n


class ExpertError(ValueError):
    """Invalid expert data; the message says what to fix."""


@dataclass(frozen=True)
class Expert:
    """An expert as the rest of the code sees it."""

    id: int
    name: str
    slack_user_id: str | None = None
    telegram_user_id: str | None = None
    expertise: str = ""
    tags: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("nl",)
    away_until: datetime | None = None
    capacity: int = 3
    moderator: bool = False
    open_claims: int = field(default=0, compare=False)

    def available(self, now: datetime) -> bool:
        """Not away and not full."""
        return (self.away_until is None or self.away_until <= now) and self.open_claims < self.capacity

    def identity(self, platform: str) -> str | None:
        """The expert's user id on a platform."""
        return {"slack": self.slack_user_id, "telegram": self.telegram_user_id}.get(platform)

    def identities(self) -> list[tuple[str, str]]:
        """(platform, user id) for every platform the expert is on."""
        return [(p, uid) for p in PLATFORMS if (uid := self.identity(p))]

    @property
    def language(self) -> str:
        """The language to write to this expert in: their first language, if the bot speaks it."""
        return supported(self.languages[0] if self.languages else None)

    def profile_text(self) -> str:
        """Everything that describes what this expert knows (for matching)."""
        return " . ".join(
            [self.expertise, " ".join(self.tags), " ".join(self.sectors), " ".join(self.regions)]
        )


def _tuple(value: object) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = [v for v in re.split(r"[,;]", value)]
    if not isinstance(value, list | tuple):
        raise ExpertError(f"expected a list, got {value!r}")
    return tuple(str(v).strip() for v in value if str(v).strip())


def _to_expert(r: ExpertRecord, open_claims: int = 0) -> Expert:
    return Expert(
        r.id,
        r.name,
        r.slack_user_id,
        r.telegram_user_id,
        r.expertise,
        tuple(r.tags or ()),
        tuple(r.sectors or ()),
        tuple(r.regions or ()),
        tuple(r.languages or ("nl",)),
        r.away_until,
        r.capacity,
        r.moderator,
        open_claims,
    )


def parse_date(text: str, now: datetime) -> datetime | None:
    """A date like 2026-12-01, 1-12-2026, 1/12 or 1-12 (the next such day); None if not a date."""
    text = text.strip().lower().removeprefix("tot ").removeprefix("until ").strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    try:
        if m:
            return datetime(int(m[1]), int(m[2]), int(m[3]))
        m = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2,4}))?", text)
        if m:
            year = int(m[3]) if m[3] else now.year
            year += 2000 if year < 100 else 0
            day = datetime(year, int(m[2]), int(m[1]))
            if not m[3] and day < now.replace(hour=0, minute=0, second=0, microsecond=0):
                day = day.replace(year=year + 1)
            return day
    except ValueError:
        return None
    return None


# The fields an entry of an experts file may have.
EXPERT_FIELDS = frozenset(
    "name slack_user_id telegram_user_id slack telegram expertise tags sectors regions languages "
    "capacity moderator".split()
)


class ExpertDirectory:
    """Expert records in the database."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = utcnow) -> None:
        self.sessions = sessions
        self.clock = clock

    def add(
        self,
        name: str,
        *,
        slack_user_id: str | None = None,
        telegram_user_id: str | None = None,
        identities: dict[str, str] | None = None,
        expertise: str = "",
        tags: object = (),
        sectors: object = (),
        regions: object = (),
        languages: object = ("nl",),
        capacity: object = 3,
        moderator: bool = False,
        update: bool = False,
    ) -> Expert:
        """Register an expert (or update the one with the same platform identity when `update`).

        `identities` ({platform: user id}) is another way to give the platform user ids.
        """
        ids = {"slack": slack_user_id, "telegram": telegram_user_id, **(identities or {})}
        unknown = set(ids) - set(PLATFORMS)
        if unknown:
            raise ExpertError(f"unknown platform(s) {sorted(unknown)}")
        name = (name or "").strip()
        if not name:
            raise ExpertError("an expert needs a name")
        uids = {p: _identity(p, u, name) for p, u in ids.items()}
        if not any(uids.values()):  # also "   ": an expert must be reachable
            raise ExpertError(f"{name}: give a Slack user id and/or a Telegram user id")
        capacity = _capacity(capacity, name)
        fields: dict[str, object] = dict(
            name=name[:200],
            slack_user_id=uids["slack"],
            telegram_user_id=uids["telegram"],
            expertise=str(expertise or "").strip(),
            tags=[x.lower() for x in _tuple(tags)],
            sectors=list(_tuple(sectors)),
            regions=list(_tuple(regions)),
            languages=[x.lower()[:2] for x in _tuple(languages)] or ["nl"],
            capacity=int(capacity),
            moderator=bool(moderator),
        )
        same_person = [IDENTITY_COLUMNS[p] == uid for p, uid in uids.items() if uid]
        with self.sessions.begin() as s:
            existing = s.scalar(select(ExpertRecord).where(or_(*same_person)))
            if existing is not None and not update:
                raise ExpertError(f"{name}: this platform identity is already registered to {existing.name}")
            namesake = s.scalar(
                select(ExpertRecord).where(
                    func.lower(ExpertRecord.name) == name[:200].lower(), ExpertRecord.active.is_(True)
                )
            )
            if namesake is not None and (existing is None or namesake.id != existing.id):
                # Two experts of one name cannot be told apart in /experts or `experts remove NAME`.
                raise ExpertError(f"{name}: another expert already has this name; give a distinct one")
            rec = existing or ExpertRecord(created_at=self.clock(), active=True)
            for key, value in fields.items():
                setattr(rec, key, value)
            rec.active = True
            s.add(rec)
            try:
                s.flush()
            except IntegrityError as exc:
                raise ExpertError(f"{name}: platform identity already in use") from exc
            return _to_expert(rec)

    def import_yaml(self, path: Path) -> tuple[list[Expert], list[str]]:
        """Add or update every expert in a YAML file (a list, or {experts: [...]}); returns errors too."""
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ExpertError(f"{path}: cannot read YAML ({exc})") from exc
        except ValueError as exc:  # a value YAML recognises but cannot build, e.g. date 2023-02-30
            raise ExpertError(f"{path}: invalid value in the YAML ({exc})") from exc
        if isinstance(data, dict):
            data = data.get("experts")
        if not isinstance(data, list):
            raise ExpertError(f"{path}: expected a list of experts (or a mapping with 'experts:')")
        done: list[Expert] = []
        errors: list[str] = []
        seen: dict[tuple[str, str], int] = {}  # (platform, user id) -> entry
        for i, item in enumerate(data, 1):
            if not isinstance(item, dict):
                errors.append(f"entry {i}: not a mapping")
                continue
            ids = _given_ids(item)
            twice = [f"{p} user id {u} is also entry {seen[(p, u)]}" for p, u in ids if (p, u) in seen]
            if twice:
                errors.append(f"entry {i} ({item.get('name', '?')}): {'; '.join(twice)}; skipped")
                continue
            seen.update(dict.fromkeys(ids, i))
            unknown = set(item) - EXPERT_FIELDS
            if unknown:
                errors.append(f"entry {i} ({item.get('name', '?')}): unknown field(s) {sorted(unknown)}")
                continue
            if not isinstance(item.get("moderator", False), bool):
                # bool("nee") is True: a typo must not make someone a moderator.
                errors.append(f"entry {i} ({item.get('name', '?')}): moderator must be true or false")
                continue
            try:
                done.append(
                    self.add(
                        str(item.get("name") or ""),
                        slack_user_id=item.get("slack_user_id") or item.get("slack"),
                        telegram_user_id=item.get("telegram_user_id") or item.get("telegram"),
                        expertise=item.get("expertise", ""),
                        tags=item.get("tags"),
                        sectors=item.get("sectors"),
                        regions=item.get("regions"),
                        languages=item.get("languages") or ("nl",),
                        capacity=item.get("capacity", 3),
                        moderator=item.get("moderator", False),
                        update=True,
                    )
                )
            except (ExpertError, ValueError, TypeError) as exc:
                errors.append(f"entry {i}: {exc}")
        return done, errors

    def _load(
        self, s: Session, where: ColumnElement[bool] | None = None, include_inactive: bool = False
    ) -> list[Expert]:
        """Experts matching `where`, each with their current number of open claims."""
        stmt = select(ExpertRecord).order_by(ExpertRecord.id)
        if where is not None:
            stmt = stmt.where(where)
        if not include_inactive:
            stmt = stmt.where(ExpertRecord.active.is_(True))
        records = list(s.scalars(stmt))
        if not records:
            return []
        load = dict(
            s.execute(
                select(RoutingRecord.claimed_by, func.count())
                .where(
                    RoutingRecord.claimed_by.in_([r.id for r in records]), RoutingRecord.answered_at.is_(None)
                )
                .group_by(RoutingRecord.claimed_by)
            ).all()
        )
        return [_to_expert(r, int(load.get(r.id, 0))) for r in records]

    def all(self, include_inactive: bool = False) -> list[Expert]:
        """Every (active) expert with their current number of open claims."""
        with self.sessions() as s:
            return self._load(s, include_inactive=include_inactive)

    def get(self, expert_id: int) -> Expert | None:
        """One expert by id (also a removed one: their answers keep their name)."""
        with self.sessions() as s:
            found = self._load(s, ExpertRecord.id == expert_id, include_inactive=True)
        return found[0] if found else None

    def by_identity(self, platform: str, user_id: str) -> Expert | None:
        """The active expert with this platform user id."""
        column = IDENTITY_COLUMNS.get(platform)
        if column is None:
            return None
        with self.sessions() as s:
            found = self._load(s, column == str(user_id))
        return found[0] if found else None

    def find(self, ref: str) -> Expert | None:
        """An expert by id, @platform user id or (unique, case-insensitive) name."""
        ref = ref.strip().lstrip("@")
        experts = self.all()
        for e in experts:
            if ref in (str(e.id), e.slack_user_id, e.telegram_user_id):
                return e
        named = [e for e in experts if e.name.lower() == ref.lower()]
        named = named or [e for e in experts if e.name.lower().startswith(ref.lower())]
        return named[0] if len(named) == 1 else None

    def remove(self, ref: str) -> Expert | None:
        """Deactivate an expert (their history stays); None if not found."""
        e = self.find(ref)
        if e is None:
            return None
        with self.sessions.begin() as s:
            rec = s.get(ExpertRecord, e.id)
            assert rec is not None
            rec.active = False
        return e

    def set_away(self, expert_id: int, until: datetime | None) -> None:
        """Mark an expert away until a date (None = available again)."""
        with self.sessions.begin() as s:
            rec = s.get(ExpertRecord, expert_id)
            if rec is not None:
                rec.away_until = until

    def set_expertise(
        self, expert_id: int, expertise: str | None = None, tags: object = None
    ) -> Expert | None:
        """Update an expert's own description and/or tags."""
        with self.sessions.begin() as s:
            rec = s.get(ExpertRecord, expert_id)
            if rec is None:
                return None
            if expertise is not None:
                rec.expertise = expertise.strip()
            if tags is not None:
                rec.tags = [x.lower() for x in _tuple(tags)]
            return _to_expert(rec)
