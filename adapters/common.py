"""What every chat adapter shares: the credential error and the adapter contract."""

from __future__ import annotations

from typing import Protocol

from aiohttp import web


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
