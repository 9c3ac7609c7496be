"""What every chat adapter shares: the adapter contract, the core it serves, the credential error."""

from __future__ import annotations

from typing import Protocol

from aiohttp import web

from bot.delivery.outbox import Outbox
from bot.delivery.scheduler import Scheduler
from bot.messages import Posted, Reply
from bot.service import Service


class CredentialError(Exception):
    """A missing or rejected credential; the message is one line that names the setting."""


class Core(Protocol):
    """The platform-free bot that `verbinder run` serves (app.runtime.BotCore)."""

    service: Service
    outbox: Outbox
    scheduler: Scheduler

    def calendar(self) -> bytes:
        """The upcoming community events as an iCalendar feed (served as /events.ics)."""
        ...


class ChatAdapter(Protocol):
    """The contract `verbinder run` relies on (see adapters/runner.py).

    Each platform package also has a `config` module whose `problems(settings)` checks the
    platform's settings offline (the one credential check per platform).
    """

    name: str

    async def start(self) -> None:
        """Check credentials against the platform, register commands, start receiving."""

    def routes(self) -> list[web.RouteDef]:
        """HTTP routes this adapter serves in webhook/HTTP mode (empty otherwise)."""

    async def stop(self) -> None:
        """Stop receiving and close connections."""

    async def send(self, reply: Reply) -> list[Posted]:
        """Post an outbox message; where each part landed. Raises when nothing could be posted."""

    async def update(self, posted: Posted, reply: Reply) -> None:
        """Replace a message the bot posted with a new version of it. Raises on failure."""

    async def delete(self, posted: Posted) -> None:
        """Delete a message the bot posted. Raises on failure."""
