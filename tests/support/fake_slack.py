"""A fake Slack on a local aiohttp server: Web API, response_url and Socket Mode, recording every call.

Response and payload shapes follow Slack's official samples (java-slack-sdk json-logs, slack-api-specs);
arguments are merged from the query string, form body and JSON body, as the real API accepts them.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from support.slack_files import SlackFiles
from support.slack_rules import check_blocks, check_view

BOT_TOKEN = "xoxb-1111-2222-verbindertest"
APP_TOKEN = "xapp-1-A0VERBIND-3333-apptoken"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM_ID = "T0VERBIND"
APP_ID = "A0VERBIND"
BOT_USER = "U0VBOT"
BOT_ID = "B0VBOT"
MEMBER = "U0MEMBER1"

_posted = itertools.count(1)
RATE_LIMITED = frozenset({"chat.postMessage", "chat.update", "chat.delete"})


@dataclass
class Call:
    """One request the fake received."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    verb: str = "POST"
    error: str | None = None  # what the fake answered when the call failed
    result: dict[str, Any] = field(default_factory=dict)  # the successful response


@dataclass
class Failure:
    """An injected failure for the next call(s) of a method."""

    error: str
    status: int = 200
    retry_after: int | None = None


@dataclass
class FakeSlack(SlackFiles):
    """The fake server; `url` is the Web API base URL to give the adapter (VERBINDER_SLACK_API_URL)."""

    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    not_in_channel: set[str] = field(default_factory=set)
    locales: dict[str, str] = field(default_factory=dict)
    acks: list[dict[str, Any]] = field(default_factory=list)
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # posted, by (channel, ts)
    views: list[dict[str, Any]] = field(default_factory=list)  # modals opened (views.open)
    triggers: set[str] = field(default_factory=set)  # trigger ids used up
    port: int = 0
    # Off by default: Slack's ~1 message per second per channel (chat.postMessage/update/delete),
    # answered with 429 + Retry-After like the real API; `rate_limited` counts those answers.
    rate_limit: bool = False
    rate_limited: int = 0

    def __post_init__(self) -> None:
        self._last_write: dict[str, float] = {}
        self._runner: web.AppRunner | None = None
        self._sockets: list[web.WebSocketResponse] = []
        self._changed = asyncio.Condition()

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        """Listen on a free local port."""
        app = web.Application()
        app.add_routes(
            [
                web.route("*", "/api/{method}", self._api),
                web.post("/response/{key}", self._response_url),
                web.post("/upload/{file_id}", self._upload),
                web.get("/link", self._socket),
            ]
        )
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        """Close sockets and stop the server."""
        for ws in self._sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        """The Web API base URL."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, key: str) -> str:
        """A response_url for a slash command or button payload."""
        return f"http://127.0.0.1:{self.port}/response/{key}"

    # -- test controls --------------------------------------------------------------------

    def fail(
        self, method: str, error: str, status: int = 200, retry_after: int | None = None, times: int = 1
    ) -> None:
        """Answer the next `times` calls of a method with an error (429 + Retry-After for rate limits)."""
        self.failures.setdefault(method, []).extend([Failure(error, status, retry_after)] * times)

    def to(self, method: str, ok: bool = True) -> list[Call]:
        """Recorded calls of one method (only the successful ones by default)."""
        return [c for c in self.calls if c.method == method and (c.error is None) == ok]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Wait until `count` successful calls of a method arrived; returns them."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: len(self.to(method)) >= count), timeout)
            except TimeoutError:
                raise AssertionError(
                    f"{method}: {len(self.to(method))} calls, expected {count}; "
                    f"got {[c.method for c in self.calls]}"
                ) from None
        return self.to(method)

    async def push(self, payload: dict[str, Any], kind: str = "events_api") -> str:
        """Send a Socket Mode envelope to the connected app; returns its envelope id."""
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": 0,
            "retry_reason": "",
        }
        for ws in self._sockets:
            await ws.send_json(envelope)
        return envelope_id

    # -- HTTP -----------------------------------------------------------------------------

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.method == "POST":
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(await request.post())
        call = Call(method, args, dict(request.headers), request.method)
        pending = self.failures.get(method)
        if pending:
            failure = pending.pop(0)
            call.error = failure.error
            await self._record(call)
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
            return web.json_response(
                {"ok": False, "error": failure.error}, status=failure.status, headers=headers
            )
        if self.rate_limit and method in RATE_LIMITED and self._too_soon(str(args.get("channel") or "")):
            call.error = "ratelimited"
            self.rate_limited += 1
            await self._record(call)
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
            )
        token = _token(request, args)
        expected = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if not token:
            call.error = "not_authed"
        elif token != expected:
            call.error = "invalid_auth"
        else:
            handler = getattr(self, "_" + method.replace(".", "_"), None)
            body = handler(args) if handler else {"ok": False, "error": "unknown_method"}
            call.error = None if body.get("ok") else body["error"]
            call.result = body
        await self._record(call)
        if call.error is not None:
            return web.json_response({"ok": False, "error": call.error})
        return web.json_response(body)

    def _too_soon(self, channel: str) -> bool:
        """Whether a write to this channel comes within a second of the last one (else it counts)."""
        now = time.monotonic()
        if now - self._last_write.get(channel, -10.0) < 1.0:
            return True
        self._last_write[channel] = now
        return False

    async def _response_url(self, request: web.Request) -> web.Response:
        args = await request.json()
        await self._record(Call(f"response_url.{request.match_info['key']}", args, dict(request.headers)))
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "fake-slack", "approximate_connection_time": 18060},
                "connection_info": {"app_id": APP_ID},
            }
        )
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self.acks.append(json.loads(message.data))
        self._sockets.remove(ws)
        return ws

    # -- Web API methods --------------------------------------------------------------------

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(_posted):06d}"  # unique across fakes: tests share a database

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://verbinder-test.slack.com/",
            "team": "Verbinder Test",
            "user": "verbinder",
            "team_id": TEAM_ID,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/link"}

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        error = _check_message(args)
        if error:
            return {"ok": False, "error": error}
        if args["channel"] in self.not_in_channel:
            return {"ok": False, "error": "not_in_channel"}
        ts = self._next_ts()
        message = {
            "type": "message",
            "text": args.get("text", ""),
            "user": BOT_USER,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
            "ts": ts,
            "blocks": _blocks(args) or [],
        }
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        channel = args["channel"]
        if channel.startswith("U"):  # posting to a user id opens (or reuses) the DM with them
            channel = "D" + channel[1:]
        self.messages[(channel, ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        # chat.update: channel and ts required (web-api spec); text or blocks; only the bot's own posts.
        error = _check_message(args)
        if error:
            return {"ok": False, "error": error}
        message = self.messages.get((args["channel"], str(args.get("ts") or "")))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        message.update(
            text=args.get("text", ""),
            blocks=_blocks(args) or [],
            edited={"user": BOT_ID, "ts": message["ts"]},
        )
        return {
            "ok": True,
            "channel": args["channel"],
            "ts": message["ts"],
            "text": message["text"],
            "message": message,
        }

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        key = (str(args.get("channel") or ""), str(args.get("ts") or ""))
        if not key[0]:
            return {"ok": False, "error": "channel_not_found"}
        if self.messages.pop(key, None) is None:
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": key[0], "ts": key[1]}

    def _chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        error = _check_message(args) or (None if args.get("user") else "user_not_found")
        if error:
            return {"ok": False, "error": error}
        if args["channel"] in self.not_in_channel:
            return {"ok": False, "error": "not_in_channel"}
        return {"ok": True, "message_ts": self._next_ts()}

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        # views.open: a trigger id opens one view; the view must follow Slack's modal rules.
        trigger, view = str(args.get("trigger_id") or ""), args.get("view")
        if isinstance(view, str):
            try:
                view = json.loads(view)
            except ValueError:
                return {"ok": False, "error": "invalid_arguments"}
        if not trigger or view is None:
            return {"ok": False, "error": "invalid_arguments"}
        if trigger in self.triggers:
            return {"ok": False, "error": "expired_trigger_id"}
        problem = check_view(view)
        if problem:
            return {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": [problem]}}
        self.triggers.add(trigger)
        n = len(self.views) + 1
        ids = {
            "id": f"V0VIEW{n:04d}",
            "hash": f"{n}.abc",
            "team_id": TEAM_ID,
            "app_id": APP_ID,
            "bot_id": BOT_ID,
        }
        self.views.append({**view, **ids, "state": {"values": {}}})
        return {"ok": True, "view": self.views[-1]}

    def _reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        missing = [k for k in ("channel", "timestamp", "name") if not args.get(k)]
        return {"ok": False, "error": "invalid_arguments"} if missing else {"ok": True}

    _reactions_remove = _reactions_add

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = args.get("user")
        if not user:
            return {"ok": False, "error": "user_not_found"}
        name = f"lid-{user[-4:].lower()}"
        info: dict[str, Any] = {
            "id": user,
            "team_id": TEAM_ID,
            "name": name,
            "deleted": False,
            "real_name": name.title(),
            "tz": "Europe/Amsterdam",
            "is_bot": False,
            "profile": {"real_name": name.title(), "display_name": name, "team": TEAM_ID},
        }
        if str(args.get("include_locale")).lower() in ("1", "true"):
            info["locale"] = self.locales.get(user, "nl-NL")
        return {"ok": True, "user": info}


def _token(request: web.Request, args: dict[str, Any]) -> str:
    auth = request.headers.get("Authorization", "")
    return auth.removeprefix("Bearer ").strip() if auth else str(args.get("token") or "")


def _blocks(args: dict[str, Any]) -> list[dict[str, Any]] | None:
    blocks = args.get("blocks")
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def _check_message(args: dict[str, Any]) -> str | None:
    """Slack's argument checks for chat.postMessage / chat.postEphemeral (None when valid)."""
    if not args.get("channel"):
        return "channel_not_found"
    try:
        blocks = _blocks(args)
    except json.JSONDecodeError:
        return "invalid_blocks_format"
    if not args.get("text") and not blocks:
        return "no_text"
    if len(str(args.get("text") or "")) > 40000:
        return "msg_too_long"
    if blocks is not None:
        return check_blocks(blocks)
    return None
