"""What every chat adapter shares: the credential error and the adapter contract."""

from __future__ import annotations

from typing import Protocol

from aiohttp import web

from bot.messages import Reply


class CredentialError(Exception):
    """A missing or rejected credential; the message is one line that names the setting."""


class ChatAdapter(Protocol):
    """The contract `verbinder run` relies on (see adapters/runner.py)."""

    name: str

    async def start(self) -> None:
        """Check credentials against the platform, register commands, start receiving."""

    def routes(self) -> list[web.RouteDef]:
        """HTTP routes this adapter serves in webhook/HTTP mode (empty otherwise)."""

    async def stop(self) -> None:
        """Stop receiving and close connections."""

    async def send_queued(self, reply: Reply) -> list[tuple[str, str]]:
        """Send an outbox message; return (chat id, message id) of what was posted, raise on failure."""
