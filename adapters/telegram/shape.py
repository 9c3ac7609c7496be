"""Is a Telegram update of the shape the Bot API gives? Checked before PTB or the adapter reads it.

PTB reads an update by the Bot API's types (a message is an object, `from` a user object) and
raises on anything else; some wrong types it keeps (`text` a number, callback `data` an object)
and our handlers raised on them: ERROR lines with tracebacks. In long polling one such update
made PTB refuse the whole batch, every poll again, so the updates after it never arrived.
The secret or the bot token proves who sent an update, not its shape.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.request import BaseRequest, RequestData

from adapters.telegram.incoming import MEDIA

log = logging.getLogger(__name__)

MAX_DEPTH = 12  # nesting of checked objects (an update's message's reply's entity's user is 5)


@dataclass(frozen=True)
class Obj:
    """An object type of the Bot API: the fields we or PTB read, with their types."""

    fields: dict[str, Field] = field(default_factory=dict)
    required: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListOf:
    """An array of the Bot API whose items have one type."""

    item: Field


Field = type | Obj | ListOf

USER = Obj(
    {"id": int, "is_bot": bool, "first_name": str, "last_name": str, "username": str, "language_code": str},
    ("id", "is_bot", "first_name"),
)
CHAT = Obj(
    {"id": int, "type": str, "title": str, "username": str, "first_name": str, "is_forum": bool},
    ("id", "type"),
)
ENTITY = Obj(
    {"type": str, "offset": int, "length": int, "url": str, "user": USER, "language": str},
    ("type", "offset", "length"),
)
MESSAGE = Obj(
    {
        "message_id": int,
        "message_thread_id": int,
        "date": int,
        "edit_date": int,
        "is_topic_message": bool,
        "from": USER,
        "sender_chat": CHAT,
        "chat": CHAT,
        "text": str,
        "caption": str,
        "entities": ListOf(ENTITY),
        "caption_entities": ListOf(ENTITY),
        # what incoming.py looks for (a photo is an array of sizes; PTB reads their fields)
        **{attr: ListOf(Obj()) if attr == "photo" else Obj() for attr, _ in MEDIA},
    },
    ("message_id", "date", "chat"),
)
MESSAGE.fields["reply_to_message"] = MESSAGE
MESSAGE.fields["pinned_message"] = MESSAGE
CALLBACK_QUERY = Obj(
    {"id": str, "from": USER, "message": MESSAGE, "chat_instance": str, "data": str},
    ("id", "from", "chat_instance"),
)
KINDS: Mapping[str, Obj] = {
    "message": MESSAGE,
    "edited_message": MESSAGE,
    "callback_query": CALLBACK_QUERY,
}
_NAMES = {int: "an integer", str: "a string", bool: "true or false"}


def problem(update: object) -> str | None:
    """What makes an update impossible (`message.from is not an object`), None when it is readable."""
    if not isinstance(update, dict):
        return "the update is not an object"
    if not _is(update.get("update_id"), int):
        return "update_id is not an integer"
    for name, value in update.items():
        if name == "update_id" or value is None:
            continue
        found = _check(value, KINDS.get(name, Obj()), name, 0)  # every other field is an object
        if found is None and name in ("message", "edited_message"):
            found = _sender(value, name)
        if found is not None:
            return found
    try:
        Update.de_json(update, None)  # what PTB reads that the tables above do not name
    except Exception as exc:  # noqa: BLE001 - any failure of PTB's reading is the answer
        return f"PTB cannot read it ({type(exc).__name__})"
    return None


def _is(value: object, kind: type) -> bool:
    # JSON true/false are Python bools, which are ints too: an id or a date is never a bool.
    return isinstance(value, kind) and (kind is bool or not isinstance(value, bool))


def _check(value: object, kind: Field, where: str, depth: int) -> str | None:
    if isinstance(kind, type):
        return None if _is(value, kind) else f"{where} is not {_NAMES.get(kind, kind.__name__)}"
    if depth >= MAX_DEPTH:
        return f"{where} is nested too deep"
    if isinstance(kind, ListOf):
        if not isinstance(value, list):
            return f"{where} is not an array"
        return next((p for v in value if (p := _check(v, kind.item, f"{where}[]", depth + 1))), None)
    if not isinstance(value, dict):
        return f"{where} is not an object"
    missing = next((f"{where}.{k} is missing" for k in kind.required if value.get(k) is None), None)
    if missing is not None:
        return missing
    for key, sub in kind.fields.items():
        if value.get(key) is not None and (found := _check(value[key], sub, f"{where}.{key}", depth + 1)):
            return found
    return None


def _sender(message: dict[str, Any], where: str) -> str | None:
    # "may be empty for messages sent to channels"; elsewhere Telegram always names the sender.
    if message.get("from") is None and message["chat"].get("type") != "channel":
        return f"{where}.from is missing"
    return None


def readable_updates(result: object) -> object:
    """getUpdates' result with each impossible update reduced to its update_id (one WARNING each)."""
    # The bare update still confirms the offset, so Telegram does not send it again; an item
    # without even an integer update_id is left out (nothing to confirm it by).
    if not isinstance(result, list):
        return result
    out: list[object] = []
    for update in result:
        found = problem(update)
        if found is None:
            out.append(update)
            continue
        update_id = update.get("update_id") if isinstance(update, dict) else None
        log.warning("Telegram polling: dropped update %r of an impossible shape (%s)", update_id, found)
        if _is(update_id, int):
            out.append({"update_id": update_id})
    return out


class CheckedUpdates(BaseRequest):
    """The getUpdates connection: another request's, with impossible updates taken out of the result."""

    def __init__(self, inner: BaseRequest) -> None:
        self.inner = inner

    @property
    def read_timeout(self) -> float | None:
        """The inner request's default read timeout."""
        return self.inner.read_timeout

    async def initialize(self) -> None:
        """Initialise the inner request."""
        await self.inner.initialize()

    async def shutdown(self) -> None:
        """Shut the inner request down."""
        await self.inner.shutdown()

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        """The inner request's HTTP call (timeouts passed on as PTB gives them)."""
        return await self.inner.do_request(url, method, request_data, *args, **kwargs)

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        """PTB's JSON parsing, then the shape check of each update in a result list."""
        data = BaseRequest.parse_json_payload(payload)
        if isinstance(data, dict) and "result" in data:
            data["result"] = readable_updates(data["result"])
        return data
