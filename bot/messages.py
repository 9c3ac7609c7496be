"""The platform-neutral message model: what adapters hand to the core and what they get back.

Plain frozen dataclasses with no heavy imports: every renderer and adapter can import this alone.
"""

from __future__ import annotations

import base64
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

# Actions a member can take on an answer (button ids shared by every adapter).
HELPFUL = "helpful"
NOT_HELPFUL = "not_helpful"
ASK_EXPERT = "ask_expert"
ACTIONS = (HELPFUL, NOT_HELPFUL, ASK_EXPERT)

# Actions on routed questions (experts, askers and moderators).
CLAIM = "claim"
RELEASE = "release"
KB_YES = "kb_yes"
KB_NO = "kb_no"
KB_APPROVE = "kb_approve"
KB_REJECT = "kb_reject"
RESOLVED = "resolved"
ALL_ACTIONS = (*ACTIONS, CLAIM, RELEASE, KB_YES, KB_NO, KB_APPROVE, KB_REJECT, RESOLVED)

# Question ids come from people (`/antwoord 12 …`) and from button values: anything above what
# every supported database holds (PostgreSQL INTEGER) is no question of ours.
MAX_QUESTION_ID = 2**31 - 1


def question_id_ok(value: int) -> bool:
    """Whether a question id parsed from input can name a stored question."""
    return 0 < value <= MAX_QUESTION_ID


# Control characters other than tab and newline, and the invisible format characters that break
# words apart (zero-width space, joiners, byte-order mark).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u2060\ufeff]")


def clean_text(text: object) -> str:
    """Text as the core handles it, whatever came in: valid Unicode (lone surrogates and undecodable
    bytes become U+FFFD, surrogate pairs are joined), NFC, no control characters but tab and newline.
    Every adapter and the CLI hand the core text through this one function (via Incoming)."""
    s = text if isinstance(text, str) else ("" if text is None else str(text))
    if s.isascii() and s.isprintable():
        return s
    # UTF-16 with surrogatepass joins valid pairs; "replace" turns what is left alone into U+FFFD.
    s = s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", _CONTROL.sub("", s))


@dataclass(frozen=True)
class Source:
    """A cited (or candidate) document."""

    path: str
    title: str
    url: str | None
    kind: str
    score: float


@dataclass(frozen=True)
class ChatRef:
    """Where a conversation happens: a chat/channel and optionally a thread or topic in it."""

    platform: str  # slack | telegram | console
    chat_id: str
    thread_id: str | None = None  # Slack thread_ts, Telegram forum topic id


@dataclass(frozen=True)
class Incoming:
    """One message from a member, already translated from the platform's event."""

    chat: ChatRef
    message_id: str  # Slack ts, Telegram message_id
    user_id: str
    text: str
    user_name: str = ""
    command: str | None = None  # "vraag", "ask", "help", ... without the slash; None for plain text
    direct: bool = False  # a one-to-one chat with the bot
    addressed: bool = False  # mention, reply to the bot, slash command or an answer-everything channel
    reply_to: str | None = None  # the message this one replies to (Slack thread_ts, Telegram reply)
    from_bot: bool = False
    edited: bool = False
    media: str | None = None  # "file", "sticker", "voice", ... when the message carries no usable text
    language: str | None = None  # the member's interface language, when the platform tells
    trigger: str | None = None  # a token to open a form now (Slack trigger_id); None: no forms here

    def __post_init__(self) -> None:
        # Frozen dataclass: the cleaning happens once, here, for every adapter.
        object.__setattr__(self, "text", clean_text(self.text))
        object.__setattr__(self, "user_name", clean_text(self.user_name))

    @property
    def key(self) -> str:
        """The message's identity, used to answer it exactly once."""
        return f"{self.chat.platform}:{self.chat.chat_id}:{self.message_id}"


@dataclass(frozen=True)
class Action:
    """A button press on one of the bot's messages."""

    chat: ChatRef
    user_id: str
    action: str  # an action id, e.g. one of ALL_ACTIONS
    question_id: int
    event_id: str = ""  # the platform's id for this press (dedup of redelivery)
    user_name: str = ""
    language: str | None = None
    trigger: str | None = None  # a token to open a form now (Slack trigger_id)

    @property
    def item_id(self) -> int:
        """The id the button is about: a question, or a feature's own item (a submission)."""
        return self.question_id


@dataclass(frozen=True)
class Button:
    """A button under a reply."""

    action: str
    label: str
    value: str


# Kinds of form fields: adapters render them (Slack input blocks) and the core validates them.
FIELD_KINDS = ("text", "long", "date", "time", "url", "choice")


@dataclass(frozen=True)
class FormField:
    """One field of a form: its name, label, kind, whether it is required and its current value."""

    name: str
    label: str
    kind: str = "text"  # one of FIELD_KINDS
    required: bool = True
    value: str = ""
    hint: str = ""
    max_length: int = 3000
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Form:
    """A form to fill in at once where the platform has forms (a Slack modal).

    `name` says which feature handles the submission, `state` is handed back unchanged with it."""

    name: str
    title: str
    submit: str
    fields: tuple[FormField, ...]
    state: str = ""
    intro: str = ""


@dataclass(frozen=True)
class FormSubmit:
    """A filled-in form, as a platform hands it back (Slack view_submission)."""

    chat: ChatRef  # where to answer the person (their direct chat)
    user_id: str
    form: str
    values: tuple[tuple[str, str], ...]
    state: str = ""
    user_name: str = ""
    language: str | None = None
    event_id: str = ""

    def __post_init__(self) -> None:
        cleaned = tuple((clean_text(k), clean_text(v)) for k, v in self.values)
        object.__setattr__(self, "values", cleaned)
        object.__setattr__(self, "user_name", clean_text(self.user_name))

    def get(self, name: str) -> str:
        """The value of a field ("" when it was left empty)."""
        return dict(self.values).get(name, "")


@dataclass(frozen=True)
class FormResult:
    """The answer to a form: errors per field (the form stays open), or replies (it closes)."""

    errors: tuple[tuple[str, str], ...] = ()
    replies: tuple[Reply, ...] = ()


@dataclass(frozen=True)
class Attachment:
    """A file the bot sends with a reply (a data export, a chart): its name, media type and bytes."""

    name: str
    mime: str
    data: bytes = field(repr=False)  # personal data (an export): never in a log line through repr()


@dataclass(frozen=True)
class Reply:
    """Something the bot says; adapters render it natively (Block Kit, Telegram HTML, terminal)."""

    chat: ChatRef
    text: str
    language: str = "nl"
    sources: tuple[Source, ...] = ()
    buttons: tuple[Button, ...] = ()
    question_id: int | None = None
    reply_to: str | None = None  # the message this answers (thread root / replied message)
    routed: bool = False
    ephemeral_user: str | None = None  # show only to this user where the platform can
    kind: str = "answer"  # answer | notice
    form: Form | None = None  # open this form (only in a reply to a message or press with a trigger)
    # Already formatted for its platform, sent as is (Slack: a JSON list of Block Kit blocks;
    # Telegram: HTML within one message's limit); `text` is then the plain fallback.
    formatted: str = ""
    files: tuple[Attachment, ...] = ()  # sent with the text (Slack: one upload; Telegram: documents)


class Posted(NamedTuple):
    """A message a platform posted: the chat it landed in and its id there (to update or delete it)."""

    chat_id: str
    message_id: str


def reply_to_dict(reply: Reply) -> dict[str, Any]:
    """A reply as JSON (for the outbox); file contents as base64."""
    data = asdict(reply)
    data["files"] = [
        {"name": f.name, "mime": f.mime, "data": base64.b64encode(f.data).decode("ascii")}
        for f in reply.files
    ]
    return data


def reply_from_dict(data: dict[str, Any]) -> Reply:
    """The inverse of reply_to_dict."""
    d = dict(data)
    d["chat"] = ChatRef(**d["chat"])
    d["sources"] = tuple(Source(**s) for s in d.get("sources") or ())
    d["buttons"] = tuple(Button(**b) for b in d.get("buttons") or ())
    if d.get("form"):
        f = dict(d["form"])
        f["fields"] = tuple(FormField(**{**x, "choices": tuple(x.get("choices") or ())}) for x in f["fields"])
        d["form"] = Form(**f)
    d["files"] = tuple(
        Attachment(name=x["name"], mime=x["mime"], data=base64.b64decode(x["data"]))
        for x in d.get("files") or ()
    )
    return Reply(**d)
