"""The forms of contributions: their fields, and the one validation Slack modals and chat steps share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from bot.community.dates import parse_date, parse_time, today
from bot.messages import Form, FormField
from bot.texts import t

TIP = "tip"
PROJECT = "project"
EVENT = "event"
KINDS = (TIP, PROJECT, EVENT)
REJECT = "reject"  # a moderator's reason for a rejection
EDIT = "edit"  # a moderator's changes before approving (the fields of the submission's kind)
SKIP = frozenset(("-", "–", "overslaan", "skip", "geen", "none", "nee", "no"))
KEEP = frozenset((".", "=", "houden", "keep", "ok", "oké"))


@dataclass(frozen=True)
class FieldSpec:
    """A field: its kind (text, long, date, time, url), whether it is needed, and its longest value."""

    name: str
    kind: str = "text"
    required: bool = True
    max_length: int = 200

    def label(self, lang: str) -> str:
        """The field's label in a language."""
        return t(f"field_{self.name}", lang)


FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    TIP: (
        FieldSpec("title", max_length=120),
        FieldSpec("text", "long", max_length=2000),
        FieldSpec("themes", required=False, max_length=200),
        FieldSpec("region", required=False, max_length=100),
    ),
    PROJECT: (
        FieldSpec("title", max_length=120),
        FieldSpec("text", "long", max_length=3000),
        FieldSpec("themes", required=False, max_length=200),
        FieldSpec("region", required=False, max_length=100),
        FieldSpec("organisations", required=False, max_length=300),
        FieldSpec("link", "url", required=False, max_length=500),
    ),
    EVENT: (
        FieldSpec("title", max_length=120),
        FieldSpec("date", "date", max_length=60),
        FieldSpec("time", "time", required=False, max_length=20),
        FieldSpec("place", max_length=200),
        FieldSpec("region", required=False, max_length=100),
        FieldSpec("text", "long", required=False, max_length=2000),
        FieldSpec("link", "url", required=False, max_length=500),
    ),
    REJECT: (FieldSpec("reason", "long", max_length=1000),),
}


class FieldError(ValueError):
    """A value a field cannot take; the message is for the person, in their language."""


def check(spec: FieldSpec, raw: str, lang: str, ref: date | None = None) -> str:
    """The stored value of one field, or FieldError with what to change."""
    value = " ".join(raw.split()) if spec.kind != "long" else raw.strip()
    if not value:
        if spec.required:
            raise FieldError(t("field_required", lang, field=spec.label(lang)))
        return ""
    if len(value) > spec.max_length:
        raise FieldError(t("field_too_long", lang, field=spec.label(lang), max=spec.max_length, n=len(value)))
    if spec.kind == "date":
        day = parse_date(value, ref)
        if day is None:
            raise FieldError(t("field_bad_date", lang))
        if day < (ref or today()):
            raise FieldError(t("field_past_date", lang, day=day.isoformat()))
        if day.year > (ref or today()).year + 5:
            raise FieldError(t("field_far_date", lang, day=day.isoformat()))
        return day.isoformat()
    if spec.kind == "time":
        at = parse_time(value)
        if at is None:
            raise FieldError(t("field_bad_time", lang))
        return at
    if spec.kind == "url":
        parts = urlsplit(value)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in value:
            raise FieldError(t("field_bad_link", lang))
    return value


def validate(
    kind: str, raw: dict[str, str], lang: str, ref: date | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """Every field of a form checked: (values, errors by field name)."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for spec in FIELDS[kind]:
        try:
            values[spec.name] = check(spec, raw.get(spec.name, ""), lang, ref)
        except FieldError as exc:
            errors[spec.name] = str(exc)
    return values, errors


def form(
    kind: str, lang: str, values: dict[str, str] | None = None, state: str = "", purpose: str = ""
) -> Form:
    """The form of a kind, for platforms that show forms (prefilled when editing)."""
    values = values or {}
    purpose = purpose or kind
    fields = tuple(
        FormField(
            name=spec.name,
            label=spec.label(lang),
            kind=spec.kind,
            required=spec.required,
            value=values.get(spec.name, ""),
            hint=t(f"hint_{spec.name}", lang),
            max_length=spec.max_length,
        )
        for spec in FIELDS[kind]
    )
    return Form(
        name=purpose,
        title=t(f"form_title_{purpose}", lang),
        submit=t(f"form_submit_{purpose}", lang),
        fields=fields,
        state=state,
        intro=t(f"form_intro_{purpose}", lang),
    )


def themes_of(values: dict[str, str]) -> tuple[str, ...]:
    """The themes a member typed ('dementie, muziek; ouderen') as a tuple."""
    parts = values.get("themes", "").replace(";", ",").split(",")
    return tuple(dict.fromkeys(p.strip().lower() for p in parts if p.strip()))
