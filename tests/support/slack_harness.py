"""The test harness around a SlackAdapter: signed requests to its HTTP route, reading what it posted."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer

from adapters.slack.adapter import SlackAdapter
from bot.config import Settings
from bot.service import Service
from support.fake_slack import MEMBER, Call, FakeSlack
from support.slack_payloads import block_actions, envelope, sign, slash_command, view_submission


@dataclass
class Bot:
    """An adapter behind a test HTTP server, talking to the fake Slack."""

    adapter: SlackAdapter
    http: TestClient
    fake: FakeSlack
    service: Service

    async def post(
        self, body: str, content_type: str, headers: dict[str, str] | None = None, **extra: str
    ) -> ClientResponse:
        headers = headers if headers is not None else sign(body)
        return await self.http.post(
            "/slack/events", data=body.encode(), headers={"Content-Type": content_type, **headers, **extra}
        )

    async def event(self, event: dict[str, Any], event_id: str | None = None, **extra: str) -> int:
        body = json.dumps(envelope(event, event_id))
        resp = await self.post(body, "application/json", **extra)
        return resp.status

    async def command(self, command: str, text: str, channel: str) -> ClientResponse:
        form = slash_command(command, text, channel, self.fake.response_url("cmd"))
        return await self.post(urlencode(form), "application/x-www-form-urlencoded")

    async def click(
        self, action: str, value: str, channel: str, message_ts: str, thread_ts: str | None
    ) -> int:
        payload = block_actions(
            action,
            value,
            channel,
            message_ts,
            thread_ts=thread_ts,
            response_url=self.fake.response_url("click"),
        )
        body = urlencode({"payload": json.dumps(payload)})
        return (await self.post(body, "application/x-www-form-urlencoded")).status

    async def submit(
        self, view: dict[str, Any], values: dict[str, str], user: str = MEMBER
    ) -> dict[str, Any]:
        """Submit an opened modal; the ack's body ({} when the modal closes)."""
        payload = view_submission(view, values, user)
        resp = await self.post(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )
        assert resp.status == 200, resp.status
        text = await resp.text()
        return json.loads(text) if text.strip() else {}

    async def settle(self) -> None:
        """Let background handlers (started after the HTTP ack) finish."""
        await asyncio.sleep(0.05)
        assert await self.adapter.idle(timeout=10)


@contextlib.asynccontextmanager
async def http_bot(
    settings: Settings,
    service: Service,
    fake: FakeSlack,
    retry_delays: tuple[float, ...] = (0.01, 0.02, 0.03),
) -> AsyncIterator[Bot]:
    """A started adapter in HTTP mode behind a test server, stopped again on leaving."""
    adapter = SlackAdapter(settings, service, retry_delays=retry_delays)
    await adapter.start()
    app = web.Application()
    app.add_routes(adapter.routes())
    http = TestClient(TestServer(app))
    await http.start_server()
    try:
        yield Bot(adapter, http, fake, service)
    finally:
        await http.close()
        await adapter.stop()


def blocks_of(call: Call) -> list[dict[str, Any]]:
    """The Block Kit blocks of a recorded post."""
    blocks = call.args["blocks"]
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def buttons_of(call: Call) -> list[dict[str, Any]]:
    """The buttons of a recorded post."""
    return [e for b in blocks_of(call) if b["type"] == "actions" for e in b["elements"]]


def mrkdwn_of(call: Call) -> str:
    """All section and context text of a recorded post."""
    parts = []
    for b in blocks_of(call):
        if b["type"] == "section":
            parts.append(b["text"]["text"])
        elif b["type"] == "context":
            parts += [e["text"] for e in b["elements"]]
    return "\n".join(parts)
