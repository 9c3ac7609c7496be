"""Forms filled in step by step in a chat (Telegram, the console): one question per field.

The draft lives in the database, so a restart in the middle loses nothing; it expires after a
while without an answer (the feature's job tells the person). `/annuleren` drops it at any step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.community.dates import TZ
from bot.community.forms import FIELDS, KEEP, SKIP, FieldError, FieldSpec, check
from bot.community.records import DraftRecord
from bot.texts import t

DRAFT_TTL = timedelta(minutes=30)


@dataclass(frozen=True)
class Draft:
    """A form in progress: whose, where, which field is next and what was answered so far."""

    platform: str
    user_id: str
    chat_id: str
    form: str  # tip | project | event | reject | edit:<kind>
    target: int | None
    step: int
    values: dict[str, str] = field(default_factory=dict)
    language: str = "nl"
    user_name: str = ""
    expires_at: datetime | None = None

    @property
    def kind(self) -> str:
        """Whose fields the form asks (an edit asks the fields of the submission's kind)."""
        return self.form.split(":", 1)[1] if self.form.startswith("edit:") else self.form

    @property
    def editing(self) -> bool:
        """A moderator changing a submission: every field shows its value and may be kept."""
        return self.form.startswith("edit:")

    @property
    def fields(self) -> tuple[FieldSpec, ...]:
        """The fields, in the order they are asked."""
        return FIELDS[self.kind]

    @property
    def done(self) -> bool:
        """Every field answered."""
        return self.step >= len(self.fields)


def _draft(row: DraftRecord) -> Draft:
    return Draft(
        row.platform,
        row.user_id,
        row.chat_id,
        row.form,
        row.target,
        row.step,
        dict(row.values or {}),
        row.language,
        row.user_name,
        row.expires_at,
    )


class Drafts:
    """Stores drafts and moves them one answer at a time."""

    def __init__(
        self, sessions: sessionmaker[Session], clock: Callable[[], datetime], ttl: timedelta = DRAFT_TTL
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.ttl = ttl

    def start(
        self,
        platform: str,
        user_id: str,
        chat_id: str,
        form: str,
        language: str,
        user_name: str = "",
        values: dict[str, str] | None = None,
        target: int | None = None,
    ) -> tuple[Draft, Draft | None]:
        """Begin a form (replacing one in progress); (the new draft, the one it replaced)."""
        with self.sessions.begin() as s:
            old = s.get(DraftRecord, (platform, user_id))
            replaced = _draft(old) if old is not None else None
            if old is not None:
                s.delete(old)
                s.flush()
            row = DraftRecord(
                platform=platform,
                user_id=user_id,
                chat_id=chat_id,
                form=form,
                target=target,
                step=0,
                values=dict(values or {}),
                language=language,
                user_name=user_name[:200],
                expires_at=self.clock() + self.ttl,
            )
            s.add(row)
            return _draft(row), replaced

    def get(self, platform: str, user_id: str) -> Draft | None:
        """The draft of a person on a platform (expired or not)."""
        with self.sessions() as s:
            row = s.get(DraftRecord, (platform, user_id))
            return _draft(row) if row is not None else None

    def today(self) -> date:
        """Today in the Netherlands by this clock (what dates are checked against)."""
        return self.clock().replace(tzinfo=UTC).astimezone(TZ).date()

    def expired(self, d: Draft) -> bool:
        """Whether the draft waited too long for its next answer."""
        return d.expires_at is not None and d.expires_at < self.clock()

    def answer(self, d: Draft, text: str, ref: date | None = None) -> Draft:
        """Take the answer to the current field; FieldError when it cannot be used (the step stays)."""
        spec = d.fields[d.step]
        raw = text.strip()
        lang = d.language
        values = dict(d.values)
        if d.editing and raw.lower() in KEEP:
            value = values.get(spec.name, "")
        elif raw.lower() in SKIP:
            if spec.required:
                raise FieldError(t("field_required", lang, field=spec.label(lang)))
            value = ""
        else:
            value = check(spec, raw, lang, ref or self.today())
        values[spec.name] = value
        with self.sessions.begin() as s:
            moved = s.execute(
                update(DraftRecord)
                .where(
                    DraftRecord.platform == d.platform,
                    DraftRecord.user_id == d.user_id,
                    DraftRecord.step == d.step,
                )
                .values(step=d.step + 1, values=values, expires_at=self.clock() + self.ttl)
            ).rowcount  # type: ignore[attr-defined]
        if moved != 1:  # a second message answered this step at the same moment: it won
            current = self.get(d.platform, d.user_id)
            return current if current is not None else d
        return replace(d, step=d.step + 1, values=values)

    def drop(self, platform: str, user_id: str) -> Draft | None:
        """Remove a person's draft; the one removed (None: there was none)."""
        with self.sessions.begin() as s:
            row = s.get(DraftRecord, (platform, user_id))
            if row is None:
                return None
            d = _draft(row)
            s.delete(row)
            return d

    def take_expired(self, s: Session, now: datetime) -> list[Draft]:
        """Inside the caller's transaction: remove and return every expired draft."""
        rows = list(s.scalars(select(DraftRecord).where(DraftRecord.expires_at < now)))
        found = [_draft(r) for r in rows]
        if rows:
            s.execute(delete(DraftRecord).where(DraftRecord.expires_at < now))
        return found


def prompt(d: Draft) -> str:
    """The question for the draft's current field."""
    spec = d.fields[d.step]
    lang = d.language
    parts = [
        t(
            "step_prompt",
            lang,
            n=d.step + 1,
            total=len(d.fields),
            field=spec.label(lang),
            hint=t(f"hint_{spec.name}", lang),
        )
    ]
    if d.editing:
        parts.append(t("step_current", lang, value=d.values.get(spec.name) or "–"))
    elif not spec.required:
        parts.append(t("step_optional", lang))
    parts.append(t("step_cancel", lang))
    return "\n".join(parts)


def summary(kind: str, values: dict[str, Any], lang: str) -> str:
    """The fields of a submission as lines 'Label: value' (empty fields left out)."""
    lines = []
    for spec in FIELDS[kind]:
        value = str(values.get(spec.name) or "").strip()
        if value:
            lines.append(f"{spec.label(lang)}: {value}")
    return "\n".join(lines)
