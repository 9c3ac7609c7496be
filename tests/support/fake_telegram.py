"""An in-process fake Telegram Bot API: a PTB BaseRequest that validates every call against the spec.

Parameters are checked against a subset of the Bot API description (tests/fixtures, MIT, from
PaulSonOfLars/telegram-bot-api-spec): known and required parameters, their types, and the documented
limits (text 1-4096 characters after HTML parsing, supported HTML tags and entities, callback_data
1-64 bytes, ...). Anything Telegram would reject is answered with 400 and recorded in `errors`.
The builders make realistic updates (field names checked against the same spec).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import re
import time
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from telegram.request import BaseRequest, RequestData

from support import multipart
from support.multipart import Upload

SPEC: dict[str, Any] = json.loads(
    (Path(__file__).parent.parent / "fixtures" / "telegram_bot_api.json").read_text()
)
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
BASE_URL = "https://api.telegram.test/bot"
BOT_USER = {
    "id": 123456789,
    "is_bot": True,
    "first_name": "Verbinder",
    "username": "VerbinderBot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
WRITES = frozenset(
    {"sendMessage", "sendDocument", "editMessageText", "deleteMessage"}
)  # flood limits count these
MAX_UPLOAD = 50 * 1024 * 1024  # bytes a bot may upload per file (sendDocument: "up to 50 MB")
TOO_LARGE = "Request Entity Too Large"
# Unique across fakes: the tests share one database, where message ids are dedup keys.
_message_ids = itertools.count(1000)
_update_ids = itertools.count(500000)
_callback_ids = itertools.count(7000000)

TAGS = {
    "b": set(),
    "strong": set(),
    "i": set(),
    "em": set(),
    "u": set(),
    "ins": set(),
    "s": set(),
    "strike": set(),
    "del": set(),
    "span": {"class"},
    "tg-spoiler": set(),
    "a": {"href"},
    "code": {"class"},
    "pre": set(),
    "blockquote": {"expandable"},
    "tg-emoji": {"emoji-id"},
}
ENTITIES = {"lt", "gt", "amp", "quot"}
CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
BUTTON_ACTIONS = {
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
}


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts."""
    return len(text.encode("utf-16-le")) // 2


class _TelegramHtml(HTMLParser):
    """Telegram's HTML dialect: a few tags, four named entities, everything else escaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TAGS:
            self.problems.append(f"unsupported start tag {tag!r}")
        for name, _ in attrs:
            if name not in TAGS.get(tag, set()):
                self.problems.append(f"unsupported attribute {name!r} in <{tag}>")
        if tag == "a" and not dict(attrs).get("href"):
            self.problems.append("<a> without href")
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.problems.append(f"self-closing tag {tag!r}")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"end tag {tag!r} does not match {self.stack[-1:]}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if any(c in data for c in "<>&"):
            self.problems.append(f"unescaped character in {data[:40]!r}")
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in ENTITIES:
            self.problems.append(f"unsupported entity &{name};")
        self.text.append(unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.text.append(unescape(f"&#{name};"))

    def unknown_decl(self, data: str) -> None:
        self.problems.append("declaration")

    def handle_comment(self, data: str) -> None:
        self.problems.append("comment")


def parse_html(text: str) -> tuple[str, list[str]]:
    """(visible text, problems) of a Telegram HTML message."""
    p = _TelegramHtml()
    p.feed(text)
    p.close()
    if p.stack:
        p.problems.append(f"unclosed tags {p.stack}")
    return "".join(p.text), p.problems


def _matches(value: Any, kind: str, where: str) -> list[str]:
    if kind.startswith("Array of "):
        if not isinstance(value, list):
            return [f"{where}: expected {kind}"]
        return [p for i, v in enumerate(value) for p in _matches(v, kind[9:], f"{where}[{i}]")]
    simple = {
        "Integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "String": lambda v: isinstance(v, str),
        "Boolean": lambda v: isinstance(v, bool),
        "Float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "True": lambda v: v is True,
    }
    if kind in simple:
        return [] if simple[kind](value) else [f"{where}: expected {kind}, got {value!r}"]
    if kind == "InputFile":  # a file uploaded as a part of the multipart body
        return [] if isinstance(value, Upload) else [f"{where}: expected an uploaded file"]
    if not isinstance(value, dict):
        return [f"{where}: expected a {kind} object"]
    return check_object(value, kind, where) if kind in SPEC["types"] else []


def check_value(value: Any, kinds: list[str], where: str) -> list[str]:
    """Problems of a value against the spec's alternative types (empty when one fits)."""
    found = [_matches(value, k, where) for k in kinds]
    return [] if any(not f for f in found) else found[0]


def check_object(obj: dict[str, Any], kind: str, where: str = "") -> list[str]:
    """Problems of an object against a type of the spec subset."""
    fields = {f["name"]: f for f in SPEC["types"][kind]["fields"]}
    where = where or kind
    problems = [f"{where}: unknown field {k!r}" for k in obj if k not in fields]
    problems += [f"{where}: missing {n!r}" for n, f in fields.items() if f["required"] and n not in obj]
    for k, v in obj.items():
        if k in fields:
            problems += check_value(v, fields[k]["types"], f"{where}.{k}")
    return problems


@dataclass
class Call:
    """One Bot API request the bot made."""

    method: str
    params: dict[str, Any]
    status: int = 200
    result: Any = None


class FakeBotApi(BaseRequest):
    """Answers Bot API calls in-process like Telegram does, recording and validating each one."""

    def __init__(self, token: str = TOKEN, base_url: str = BASE_URL) -> None:
        self.token, self.base_url = token, base_url
        self.calls: list[Call] = []
        self.errors: list[str] = []
        self.faults: list[tuple[str, int, dict[str, Any]]] = []
        self.forums: set[int] = set()
        self.chats: dict[int, dict[str, Any]] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}  # what the bot posted, by (chat, id)
        self.documents: list[tuple[int, int | None, Upload]] = []  # files uploaded: (chat, topic, file)
        self.max_upload = MAX_UPLOAD  # a test may lower it rather than build 50 MB
        # Members who never started the bot (or blocked it): Telegram refuses to write to them (403).
        self.unstarted: set[int] = set()
        self.pending: list[dict[str, Any]] = []
        self._arrived: asyncio.Event | None = None
        # Off by default: Telegram's flood limits (30 messages per second overall, 20 per minute in
        # a group), answered with 429 and retry_after like the real API; `rate_limited` counts them.
        self.rate_limit = False
        self.rate_limited = 0
        self._writes: list[tuple[float, Any]] = []

    # -- BaseRequest ------------------------------------------------------------------------

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        if request_data is not None and request_data.contains_files:
            params = self._from_multipart(url, api_method, request_data)
        else:
            params = dict(request_data.parameters) if request_data else {}
        call = Call(api_method, params)
        self.calls.append(call)
        if not url.startswith(f"{self.base_url}{self.token}/"):
            return self._error(call, 401, "Unauthorized")
        for i, (name, status, body) in enumerate(self.faults):
            if name == api_method:
                del self.faults[i]
                call.status = status
                return status, json.dumps({"ok": False, "error_code": status, **body}).encode()
        if api_method not in SPEC["methods"]:
            return self._error(call, 404, "Not Found: method not found")
        wait = self._flood_wait(params.get("chat_id")) if self.rate_limit and api_method in WRITES else 0
        if wait:
            self.rate_limited += 1
            call.status = 429
            body = {
                "description": f"Too Many Requests: retry after {wait}",
                "parameters": {"retry_after": wait},
            }
            return 429, json.dumps({"ok": False, "error_code": 429, **body}).encode()
        problems = self.validate(api_method, params)
        if TOO_LARGE in problems:  # Telegram answers an oversized upload with HTTP 413, not a 400
            return self._error(call, 413, TOO_LARGE)
        if not problems and (gone := self._unreachable(api_method, params)) is not None:
            return self._error(call, 403, gone)
        refused = None if problems else self._refused(api_method, params)
        if refused is not None:  # a valid call Telegram still refuses (a message that is gone)
            return self._error(call, 400, f"Bad Request: {refused}")
        if problems:
            self.errors += [f"{api_method}: {p}" for p in problems]
            return self._error(call, 400, f"Bad Request: {problems[0]}")
        call.result = await self._result(api_method, params)
        return 200, json.dumps({"ok": True, "result": call.result}).encode()

    @staticmethod
    def _from_multipart(url: str, method: str, data: RequestData) -> dict[str, Any]:
        """The parameters of an upload as Telegram reads them off the wire: the multipart body PTB's
        client would send, parsed; a field is JSON where the spec allows more than a string."""
        content_type, body = multipart.encode(url, data.json_parameters, data.multipart_data)
        fields, files = multipart.parse(content_type, body)
        spec = {f["name"]: f["types"] for f in SPEC["methods"].get(method, {"fields": []})["fields"]}
        params: dict[str, Any] = {}
        for name, value in fields.items():
            if value.startswith("attach://") and value[9:] in files:
                params[name] = files.pop(value[9:])
                continue
            try:
                decoded = json.loads(value)
            except ValueError:
                decoded = value
            params[name] = value if spec.get(name) == ["String"] or isinstance(decoded, str) else decoded
        return {**params, **files}

    def _flood_wait(self, chat_id: Any) -> int:
        """Seconds to wait when a message now would break a flood limit (0: it may go, and counts)."""
        now = time.monotonic()
        self._writes = [(at, c) for at, c in self._writes if now - at < 60]
        last_second = sum(1 for at, _ in self._writes if now - at < 1)
        in_group = [at for at, c in self._writes if c == chat_id] if str(chat_id).startswith("-") else []
        if last_second >= 30:
            return 1
        if len(in_group) >= 20:
            return max(1, math.ceil(60 - (now - in_group[0])))
        self._writes.append((now, chat_id))
        return 0

    @staticmethod
    def _error(call: Call, status: int, description: str) -> tuple[int, bytes]:
        call.status = status
        return status, json.dumps({"ok": False, "error_code": status, "description": description}).encode()

    # -- controls for tests -----------------------------------------------------------------

    def fail(self, method: str, status: int, description: str = "", retry_after: int | None = None) -> None:
        """Answer the next call of a method with an error (429 with retry_after: flood control)."""
        body: dict[str, Any] = {"description": description or f"Error {status}"}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
            body["description"] = description or f"Too Many Requests: retry after {retry_after}"
        self.faults.append((method, status, body))

    def ok(self, method: str | None = None) -> list[Call]:
        """Successful calls, optionally of one method."""
        return [c for c in self.calls if c.status == 200 and (method is None or c.method == method)]

    def sent(self, chat_id: int | None = None) -> list[Call]:
        """Successful sendMessage calls, optionally to one chat."""
        return [c for c in self.ok("sendMessage") if chat_id is None or c.params["chat_id"] == chat_id]

    def push(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates (polling mode)."""
        self.pending.append(update)
        if self._arrived is not None:
            self._arrived.set()

    # -- validation and results ------------------------------------------------------------

    def validate(self, method: str, params: dict[str, Any]) -> list[str]:
        """Problems Telegram would report for this call."""
        fields = {f["name"]: f for f in SPEC["methods"][method]["fields"]}
        problems = [f"unknown parameter {k!r}" for k in params if k not in fields]
        problems += [
            f"missing parameter {n!r}" for n, f in fields.items() if f["required"] and n not in params
        ]
        for k, v in params.items():
            if k in fields:
                problems += check_value(v, fields[k]["types"], k)
        check = getattr(self, f"_check_{method}", None)
        return problems + (check(params) if check and not problems else [])

    def _check_sendMessage(self, p: dict[str, Any]) -> list[str]:
        problems: list[str] = []
        text = p["text"]
        if p.get("parse_mode") not in (None, "HTML", "MarkdownV2", "Markdown"):
            problems.append(f"unsupported parse_mode {p['parse_mode']!r}")
        if p.get("parse_mode") == "HTML":
            text, html_problems = parse_html(text)
            problems += [f"can't parse entities: {x}" for x in html_problems]
        if not 1 <= utf16_len(text.strip()) <= 4096:
            problems.append(f"text must be 1-4096 characters, got {utf16_len(text)}")
        if "message_thread_id" in p and p["chat_id"] not in self.forums:
            problems.append("message thread not found")
        markup = p.get("reply_markup")
        if markup is not None:
            if "inline_keyboard" not in markup:
                problems.append("reply_markup is not an inline keyboard")
            for row in markup.get("inline_keyboard", []):
                for b in row:
                    if len(BUTTON_ACTIONS & b.keys()) != 1:
                        problems.append(f"button {b.get('text')!r} needs exactly one action")
                    if "callback_data" in b and not 1 <= len(b["callback_data"].encode()) <= 64:
                        problems.append("BUTTON_DATA_INVALID")
        return problems

    def _check_sendDocument(self, p: dict[str, Any]) -> list[str]:
        document, problems = p["document"], []
        if isinstance(document, Upload):
            if not document.data:
                problems.append("file must be non-empty")
            elif len(document.data) > self.max_upload:
                problems.append(TOO_LARGE)
        caption = p.get("caption", "")
        if p.get("parse_mode") == "HTML":
            caption, html_problems = parse_html(caption)
            problems += [f"can't parse entities: {x}" for x in html_problems]
        if utf16_len(caption) > 1024:
            problems.append("message caption is too long")
        if "message_thread_id" in p and p["chat_id"] not in self.forums:
            problems.append("message thread not found")
        return problems

    def _check_editMessageText(self, p: dict[str, Any]) -> list[str]:
        problems = [] if "chat_id" in p and "message_id" in p else ["chat_id and message_id are required"]
        if "text" not in p:
            return problems + ["text is required for a text message"]
        return problems + self._check_sendMessage({k: v for k, v in p.items() if k not in ("message_id",)})

    def _unreachable(self, method: str, p: dict[str, Any]) -> str | None:
        """Telegram's 403 for a message to a member who never started the bot (None: it may go)."""
        if method in ("sendMessage", "sendDocument") and p.get("chat_id") in self.unstarted:
            return "Forbidden: bot can't initiate conversation with a user"
        return None

    def _refused(self, method: str, p: dict[str, Any]) -> str | None:
        """Telegram's refusal of an edit or delete of a message it does not have (None: fine)."""
        if method not in ("editMessageText", "deleteMessage"):
            return None
        old = self.messages.get((p["chat_id"], p["message_id"]))
        if old is None:
            return f"message to {'edit' if method == 'editMessageText' else 'delete'} not found"
        new_text = parse_html(p["text"])[0] if p.get("parse_mode") == "HTML" else p.get("text", "")
        if method == "editMessageText" and (new_text.strip(), p.get("reply_markup")) == (
            old["text"],
            old.get("reply_markup"),
        ):
            return (
                "message is not modified: specified new message content and reply markup are exactly the same"
            )
        return None

    def _check_answerCallbackQuery(self, p: dict[str, Any]) -> list[str]:
        return ["MESSAGE_TOO_LONG"] if len(p.get("text", "")) > 200 else []

    def _check_sendChatAction(self, p: dict[str, Any]) -> list[str]:
        problems = [] if p["action"] in CHAT_ACTIONS else [f"wrong action {p['action']!r}"]
        if "message_thread_id" in p and p["chat_id"] not in self.forums:
            problems.append("message thread not found")
        return problems

    def _check_setMyCommands(self, p: dict[str, Any]) -> list[str]:
        problems = [] if len(p["commands"]) <= 100 else ["too many commands"]
        for c in p["commands"]:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", c["command"]):
                problems.append(f"BOT_COMMAND_INVALID {c['command']!r}")
            if not 1 <= len(c["description"]) <= 256:
                problems.append(f"BOT_COMMAND_DESCRIPTION_INVALID {c['description']!r}")
        if "language_code" in p and not re.fullmatch(r"[a-z]{2}", p["language_code"]):
            problems.append("LANG_CODE_INVALID")
        return problems

    def _check_setWebhook(self, p: dict[str, Any]) -> list[str]:
        https = p["url"] == "" or p["url"].startswith("https://")
        problems = [] if https else ["bad webhook: HTTPS url must be provided"]
        if "secret_token" in p and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", p["secret_token"]):
            problems.append("bad webhook: secret token contains unallowed characters")
        kinds = {f["name"] for f in SPEC["types"]["Update"]["fields"]} - {"update_id"}
        problems += [f"unknown update type {u!r}" for u in p.get("allowed_updates", []) if u not in kinds]
        return problems

    async def _result(self, method: str, p: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "sendMessage":
            msg = self._message_result(p)
            self.messages[(p["chat_id"], msg["message_id"])] = msg
            return msg
        if method == "sendDocument":
            msg = self._message_result({**p, "text": ""})
            del msg["text"]
            doc = p["document"]
            if isinstance(doc, Upload):
                n = next(_message_ids)
                msg["document"] = {
                    "file_id": f"BQACAgQAAxkD{n:08d}",
                    "file_unique_id": f"AgAD{n:08d}",
                    "file_name": doc.filename,
                    "mime_type": doc.mime,
                    "file_size": len(doc.data),
                }
                self.documents.append((p["chat_id"], p.get("message_thread_id"), doc))
            if p.get("caption"):
                msg["caption"] = p["caption"]
            self.messages[(p["chat_id"], msg["message_id"])] = msg
            return msg
        if method == "editMessageText":
            msg = self.messages[(p["chat_id"], p["message_id"])]
            msg["text"] = (
                parse_html(p["text"])[0].strip() if p.get("parse_mode") == "HTML" else p["text"].strip()
            )
            msg.pop("reply_markup", None)
            if "reply_markup" in p:
                msg["reply_markup"] = p["reply_markup"]
            msg["edit_date"] = int(time.time())
            return msg
        if method == "deleteMessage":
            del self.messages[(p["chat_id"], p["message_id"])]
            return True
        if method == "getUpdates":
            return await self._get_updates(p)
        return True

    def _message_result(self, p: dict[str, Any]) -> dict[str, Any]:
        chat_id = p["chat_id"]
        chat = self.chats.get(chat_id) or {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        text = parse_html(p["text"])[0] if p.get("parse_mode") == "HTML" else p["text"]
        msg: dict[str, Any] = {
            "message_id": next(_message_ids),
            "from": BOT_USER,
            "chat": chat,
            "date": int(time.time()),
            "text": text.strip(),
        }
        if "message_thread_id" in p:
            msg.update(message_thread_id=p["message_thread_id"], is_topic_message=True)
        if "reply_markup" in p:
            msg["reply_markup"] = p["reply_markup"]
        return msg

    async def _get_updates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        self.pending = [u for u in self.pending if u["update_id"] >= p.get("offset", 0)]
        if not self.pending and p.get("timeout"):
            self._arrived = asyncio.Event()
            try:
                await asyncio.wait_for(self._arrived.wait(), timeout=0.2)
            except TimeoutError:
                pass
        return self.pending[: p.get("limit", 100)]

    # -- update builders --------------------------------------------------------------------

    def chat(self, chat_id: int, title: str = "", forum: bool = False, **user: Any) -> dict[str, Any]:
        """A chat known to the fake (private when the id is positive)."""
        chat: dict[str, Any] = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        if chat_id < 0:
            chat["title"] = title or "Cultuur & Zorg"
        else:
            chat["first_name"] = user.get("first_name", "")
        if forum:
            chat["is_forum"] = True
            self.forums.add(chat_id)
        self.chats[chat_id] = chat
        return chat

    def message(
        self,
        chat: dict[str, Any],
        sender: dict[str, Any],
        text: str | None = None,
        *,
        reply_to: dict[str, Any] | None = None,
        thread: int | None = None,
        **content: Any,
    ) -> dict[str, Any]:
        """A member's message; mention and command entities are derived from the text."""
        msg: dict[str, Any] = {
            "message_id": next(_message_ids),
            "from": sender,
            "chat": chat,
            "date": int(time.time()),
            **content,
        }
        if text is not None:
            msg["text"] = text
            entities = [
                {"type": "mention", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group())}
                for m in re.finditer(r"(?<![\w/])@\w{3,32}", text)
            ]
            if (cmd := re.match(r"/\w+(@\w+)?", text)) is not None:
                entities.insert(0, {"type": "bot_command", "offset": 0, "length": utf16_len(cmd.group())})
            if entities:
                msg["entities"] = entities
        if thread is not None:
            msg.update(message_thread_id=thread, is_topic_message=True)
            reply_to = reply_to or {
                "message_id": thread,
                "from": sender,
                "chat": chat,
                "date": msg["date"] - 60,
                "message_thread_id": thread,
                "forum_topic_created": {"name": "Subsidies", "icon_color": 7322096},
            }
        if reply_to is not None:
            msg["reply_to_message"] = reply_to
        return msg

    @staticmethod
    def update(**kind: Any) -> dict[str, Any]:
        """An update (message=..., edited_message=... or callback_query=...) with a fresh update_id."""
        update = {"update_id": next(_update_ids), **kind}
        problems = check_object(update, "Update")
        assert not problems, problems
        return update

    @staticmethod
    def callback(sender: dict[str, Any], message: dict[str, Any], data: str) -> dict[str, Any]:
        """A press on an inline button under one of the bot's messages."""
        return {
            "id": str(next(_callback_ids)),
            "from": sender,
            "message": message,
            "chat_instance": "-5305533442915744171",
            "data": data,
        }


def user(
    user_id: int, first_name: str = "Anna", language_code: str = "nl", is_bot: bool = False, **extra: Any
) -> dict[str, Any]:
    """A Telegram user object."""
    return {
        "id": user_id,
        "is_bot": is_bot,
        "first_name": first_name,
        "language_code": language_code,
        **extra,
    }
