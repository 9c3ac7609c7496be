"""What an announcement is made of: its targets, its time and its text, read from people's input.

Every parser raises `Invalid` with the key of the text that explains the problem (in
bot/texts/announcements.py), so chat, modal and CLI say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.community.dates import parse_date, parse_time
from bot.texts import Refusal

AN_SEND = "an_send"  # the Telegram (or Slack without a modal) confirmation: send as written
AN_CANCEL = "an_cancel"  # ... or drop it
AN_EDIT = "an_edit"  # under a listed announcement: change its text everywhere
AN_WITHDRAW = "an_withdraw"  # ... or take it back (asks once more)
AN_WITHDRAW_OK = "an_withdraw_ok"
ACTIONS = (AN_SEND, AN_CANCEL, AN_EDIT, AN_WITHDRAW, AN_WITHDRAW_OK)
PLATFORMS = ("slack", "telegram")
MAX_TEXT = 3000  # a Slack modal input holds 3000 characters; a Telegram message 4096
MAX_AHEAD = timedelta(days=366)
TZ_NAME = "Europe/Amsterdam"
UTC = ZoneInfo("UTC")


class Invalid(Refusal):
    """Input that makes no announcement."""


@dataclass(frozen=True)
class Target:
    """One channel an announcement goes to: a platform, a chat and optionally a topic in it."""

    platform: str
    chat_id: str
    topic: str = ""

    @property
    def label(self) -> str:
        """As people write it: slack:C123, telegram:-100123/7."""
        return f"{self.platform}:{self.chat_id}" + (f"/{self.topic}" if self.topic else "")


def parse_channels(platform: str, spec: str) -> tuple[Target, ...]:
    """A setting's comma-separated chat ids of one platform (Telegram `chat/topic` for a topic)."""
    out: list[Target] = []
    for part in spec.split(","):
        chat, _, topic = part.strip().partition("/")
        if chat.strip():
            out.append(Target(platform, chat.strip(), topic.strip()))
    return tuple(dict.fromkeys(out))


def parse_targets(spec: str, known: tuple[Target, ...]) -> tuple[Target, ...]:
    """'slack:C1, telegram:-100' (or bare chat ids) as known targets; empty input: all of them."""
    chosen: list[Target] = []
    for raw in spec.replace("\n", ",").replace(";", ",").split(","):
        word = raw.strip()
        if not word:
            continue
        matches = [t for t in known if word.lower() in _names(t)]
        if len(matches) != 1:
            raise Invalid("an_unknown_target", target=word[:80], known=labels(known))
        chosen.append(matches[0])
    if not chosen:
        if not known:
            raise Invalid("an_no_channels")
        return known
    return tuple(dict.fromkeys(chosen))


def _names(t: Target) -> tuple[str, ...]:
    """Every way to name a target: with or without its platform, a chat without its topic."""
    bare = t.label.split(":", 1)[1]
    names = (t.label, bare) if t.topic else (t.label, bare, t.chat_id)
    return tuple(n.lower() for n in names)


def labels(targets: tuple[Target, ...]) -> str:
    """Targets as one line ("-" for none)."""
    return ", ".join(t.label for t in targets) or "-"


def parse_when(text: str, now: datetime, tz: str = TZ_NAME) -> datetime | None:
    """A local date and time ('2026-12-07 10:00', 'morgen 9:30') as naive UTC; None for empty: now.

    Raises Invalid when it is no time, lies in the past or more than a year ahead."""
    s = " ".join(text.split())
    if not s or s.lower() in ("nu", "now"):
        return None
    zone = ZoneInfo(tz)
    local_now = now.replace(tzinfo=UTC).astimezone(zone)
    head, _, last = s.rpartition(" ")
    hhmm = parse_time(last) if head else None
    day = parse_date(head, local_now.date()) if hhmm else None
    if hhmm is None or day is None:
        raise Invalid("an_bad_time", given=s[:60])
    hour, minute = (int(x) for x in hhmm.split(":"))
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
    at = local.astimezone(UTC).replace(tzinfo=None)
    if at <= now:
        raise Invalid("an_time_past", given=s[:60])
    if at - now > MAX_AHEAD:
        raise Invalid("an_time_far", given=s[:60])
    return at


def local_label(at: datetime, tz: str = TZ_NAME) -> str:
    """A UTC time as people read it here: '2026-12-07 10:00'."""
    return at.replace(tzinfo=UTC).astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def check_text(text: str) -> str:
    """The announcement's text, stripped; Invalid when empty or too long."""
    body = text.strip()
    if not body:
        raise Invalid("an_empty")
    if len(body) > MAX_TEXT:
        raise Invalid("an_too_long", n=len(body), max=MAX_TEXT)
    return body


@dataclass(frozen=True)
class Written:
    """A chat command's argument taken apart: optional time and targets lines, then the text."""

    text: str
    when: str = ""
    to: str = ""


_WHEN = ("om ", "at ", "op ", "on ")
_TO = ("naar ", "to ")


def split_command(arg: str) -> Written:
    """'/aankondiging om 2026-12-07 10:00' + newline + 'naar slack:C1' + newline + text."""
    lines = arg.strip().split("\n")
    when = to = ""
    while len(lines) > 1:
        first = lines[0].strip()
        low = first.lower()
        if not when and low.startswith(_WHEN):
            when = first.split(" ", 1)[1]
        elif not to and low.startswith(_TO):
            to = first.split(" ", 1)[1]
        else:
            break
        lines = lines[1:]
    return Written("\n".join(lines).strip(), when.strip(), to.strip())
