"""`verbinder run`: every configured platform in one asyncio process, plus the shared HTTP endpoint."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiohttp import web

from adapters.base import ChatAdapter, Core, CredentialError
from adapters.slack.config import problems as slack_problems
from adapters.slack.config import slack_mode
from adapters.telegram.config import problems as telegram_problems
from bot.config import Settings
from bot.service import Service

if TYPE_CHECKING:
    from telegram.request import BaseRequest

__all__ = ["BotProcess", "check_settings", "configured_platforms", "make_adapters", "serve", "slack_mode"]
log = logging.getLogger(__name__)


def configured_platforms(settings: Settings) -> list[str]:
    """Platforms with credentials in the settings, in start order."""
    found = []
    if settings.slack_bot_token or settings.slack_app_token or settings.slack_signing_secret:
        found.append("slack")
    if settings.telegram_bot_token:
        found.append("telegram")
    return found


def check_settings(settings: Settings) -> list[str]:
    """Problems with the platform settings that are visible without asking the platform."""
    platforms = configured_platforms(settings)
    if not platforms:
        return [
            "No chat platform configured: set VERBINDER_SLACK_BOT_TOKEN (with VERBINDER_SLACK_APP_TOKEN "
            "or VERBINDER_SLACK_SIGNING_SECRET) and/or VERBINDER_TELEGRAM_BOT_TOKEN in .env, "
            "or try the bot in the terminal with `verbinder chat`."
        ]
    checks = {"slack": slack_problems, "telegram": telegram_problems}
    return [problem for platform in platforms for problem in checks[platform](settings)]


def make_adapters(
    settings: Settings, service: Service, *, telegram_request: BaseRequest | None = None
) -> list[ChatAdapter]:
    """The adapter objects for the configured platforms (imports only what is used).

    `telegram_request` replaces PTB's HTTP client for the Bot API (tests and benchmarks pass an
    in-process fake); Slack needs no such hook, its Web API URL is a setting (slack_api_url).
    """
    adapters: list[ChatAdapter] = []
    platforms = configured_platforms(settings)
    if "slack" in platforms:
        from adapters.slack.adapter import SlackAdapter

        adapters.append(SlackAdapter(settings, service))
    if "telegram" in platforms:
        from adapters.telegram.adapter import TelegramAdapter

        adapters.append(TelegramAdapter(settings, service, request=telegram_request))
    return adapters


async def _health(_request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


CALENDAR_PATH = "/events.ics"


def calendar_route(core: Core) -> web.RouteDef:
    """GET /events.ics: the community's upcoming events, for members' calendar apps to subscribe to."""

    async def feed(_request: web.Request) -> web.Response:
        try:
            body = await asyncio.to_thread(core.calendar)
        except Exception:  # noqa: BLE001 - a database hiccup: the calendar app tries again later
            log.exception("building the calendar feed failed")
            return web.Response(status=503, text="calendar temporarily unavailable\n")
        return web.Response(body=body, content_type="text/calendar", charset="utf-8")

    return web.get(CALENDAR_PATH, feed)


@dataclass
class BotProcess:
    """The running adapters and the HTTP server they share."""

    settings: Settings
    adapters: list[ChatAdapter]
    extra_routes: list[web.RouteDef] = field(default_factory=list)  # served beside the adapters' routes
    runner: web.AppRunner | None = None
    started: list[ChatAdapter] = field(default_factory=list)

    async def start(self) -> None:
        """Start every adapter, then serve their HTTP routes (if any) on one port."""
        for adapter in self.adapters:
            await adapter.start()
            self.started.append(adapter)
        routes = [r for a in self.adapters for r in a.routes()]
        if routes:
            app = web.Application(client_max_size=2 * 1024 * 1024)
            app.add_routes([web.get("/healthz", _health), *self.extra_routes, *routes])
            self.runner = web.AppRunner(app, access_log=None)
            await self.runner.setup()
            site = web.TCPSite(self.runner, self.settings.http_host, self.settings.http_port)
            await site.start()
            log.warning("listening on http://%s:%s", self.settings.http_host, self.settings.http_port)

    async def stop(self) -> None:
        """Stop the HTTP server and every started adapter; errors are logged, not raised."""
        if self.runner is not None:
            await self.runner.cleanup()
        for adapter in reversed(self.started):
            try:
                await adapter.stop()
            except Exception:  # noqa: BLE001 - shutting down: log and go on
                log.exception("stopping %s failed", adapter.name)


async def serve(
    settings: Settings,
    core: Core,
    until: Callable[[], Awaitable[None]] | None = None,
    *,
    adapters: list[ChatAdapter] | None = None,
) -> None:
    """Run until SIGINT/SIGTERM (or until `until` returns); raises CredentialError on bad settings.

    `adapters` (tests, benchmarks) replaces make_adapters(settings, core.service), e.g. to give the
    Telegram adapter a fake Bot API; `verbinder run` leaves it out.
    """
    problems = check_settings(settings)
    if problems:
        raise CredentialError(" ".join(problems))
    if adapters is None:
        adapters = make_adapters(settings, core.service)
    process = BotProcess(settings, adapters, [calendar_route(core)])
    background: list[asyncio.Task[None]] = []
    try:
        await process.start()
        background = run_delivery(core, process.adapters, settings.timer_interval_seconds)
        names = ", ".join(a.name for a in process.adapters)
        log.warning("Verbinder is running on %s", names)
        if until is not None:
            await until()
        else:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                with suppress(NotImplementedError):
                    loop.add_signal_handler(sig, stop.set)
            await stop.wait()
    finally:
        for task in background:
            task.cancel()
        for task in background:
            with suppress(asyncio.CancelledError):
                await task
        await process.stop()


def run_delivery(core: Core, adapters: list[ChatAdapter], poll: float) -> list[asyncio.Task[None]]:
    """Start sending queued messages (offers, deliveries, reminders) and running scheduled jobs."""
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    # Service calls run in worker threads: wake the loop thread-safely when they queue something.
    core.outbox.on_new = lambda: loop.call_soon_threadsafe(wake.set)
    senders = {a.name: a for a in adapters}  # they send, and change or delete what they posted
    every = min(5.0, poll)
    return [
        asyncio.create_task(core.outbox.run(senders, wake, interval=every)),
        asyncio.create_task(core.scheduler.run(poll=every)),
    ]
