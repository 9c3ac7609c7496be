"""`verbinder run`: every configured platform in one asyncio process, plus the shared HTTP endpoint."""

from __future__ import annotations

import asyncio
import logging
import re
import signal
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiohttp import web

from adapters.common import ChatAdapter, CredentialError
from bot.config import Settings
from bot.runtime import BotCore
from bot.service import Service

if TYPE_CHECKING:
    from telegram.request import BaseRequest

log = logging.getLogger(__name__)
TELEGRAM_TOKEN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")


def configured_platforms(settings: Settings) -> list[str]:
    """Platforms with credentials in the settings, in start order."""
    found = []
    if settings.slack_bot_token or settings.slack_app_token or settings.slack_signing_secret:
        found.append("slack")
    if settings.telegram_bot_token:
        found.append("telegram")
    return found


def slack_mode(settings: Settings) -> str:
    """socket or http: explicit, else socket when an app token is set."""
    if settings.slack_mode != "auto":
        return settings.slack_mode
    return "socket" if settings.slack_app_token else "http"


def check_settings(settings: Settings) -> list[str]:
    """Problems with the platform settings that are visible without asking the platform."""
    problems: list[str] = []
    platforms = configured_platforms(settings)
    if not platforms:
        problems.append(
            "No chat platform configured: set VERBINDER_SLACK_BOT_TOKEN (with VERBINDER_SLACK_APP_TOKEN "
            "or VERBINDER_SLACK_SIGNING_SECRET) and/or VERBINDER_TELEGRAM_BOT_TOKEN in .env, "
            "or try the bot in the terminal with `verbinder chat`."
        )
    if "slack" in platforms:
        mode = slack_mode(settings)
        if not settings.slack_bot_token:
            problems.append("VERBINDER_SLACK_BOT_TOKEN is missing (the bot token, xoxb-…).")
        elif not settings.slack_bot_token.startswith("xoxb-"):
            problems.append("VERBINDER_SLACK_BOT_TOKEN must be a bot token starting with xoxb-.")
        if mode == "socket" and not settings.slack_app_token.startswith("xapp-"):
            problems.append(
                "VERBINDER_SLACK_APP_TOKEN must be an app-level token (xapp-…) for Socket Mode; "
                "or set VERBINDER_SLACK_MODE=http with VERBINDER_SLACK_SIGNING_SECRET."
            )
        if mode == "http" and not settings.slack_signing_secret:
            problems.append("VERBINDER_SLACK_SIGNING_SECRET is missing (needed for the HTTP Events API).")
    if "telegram" in platforms:
        if not TELEGRAM_TOKEN.match(settings.telegram_bot_token):
            problems.append("VERBINDER_TELEGRAM_BOT_TOKEN does not look like a bot token (123456:ABC…).")
        if settings.telegram_webhook_url:
            if not settings.telegram_webhook_url.startswith("https://"):
                problems.append("VERBINDER_TELEGRAM_WEBHOOK_URL must be an https:// URL.")
            if not settings.telegram_webhook_secret:
                problems.append("VERBINDER_TELEGRAM_WEBHOOK_SECRET is missing (required with a webhook).")
    return problems


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
        from adapters.slack import SlackAdapter

        adapters.append(SlackAdapter(settings, service))
    if "telegram" in platforms:
        from adapters.telegram import TelegramAdapter

        adapters.append(TelegramAdapter(settings, service, request=telegram_request))
    return adapters


async def _health(_request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


@dataclass
class BotProcess:
    """The running adapters and the HTTP server they share."""

    settings: Settings
    adapters: list[ChatAdapter]
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
            app.add_routes([web.get("/healthz", _health), *routes])
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
    core: BotCore,
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
    process = BotProcess(settings, adapters)
    outbox_task: asyncio.Task[None] | None = None
    try:
        await process.start()
        outbox_task = asyncio.create_task(run_outbox(core, process.adapters, settings.timer_interval_seconds))
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
        if outbox_task is not None:
            outbox_task.cancel()
            with suppress(asyncio.CancelledError):
                await outbox_task
        await process.stop()


async def run_outbox(core: BotCore, adapters: list[ChatAdapter], tick_every: float) -> None:
    """Send queued messages (expert offers, deliveries, reminders) and run the timers."""
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    # Service calls run in worker threads: wake the loop thread-safely when they queue something.
    core.outbox.on_new = lambda: loop.call_soon_threadsafe(wake.set)
    senders = {a.name: a.send_queued for a in adapters}
    await core.outbox.run(senders, wake, interval=min(5.0, tick_every), tick=core.tick, tick_every=tick_every)
