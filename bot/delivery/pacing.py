"""Pacing of outgoing messages: within each platform's rate limits, so a fan-out is paced, not burst.

Slack allows about one message per second per channel (chat.postMessage, "special" tier);
Telegram about one per second per chat, 20 per minute in a group and 30 per second overall.
One pacer per process paces what that process sends; a 429 that still comes back is retried by
the outbox with its backoff.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Seconds between two messages: to one chat, to one group chat, and overall on the platform."""

    per_chat: float = 1.0
    per_group: float = 1.0
    overall: float = 0.0


LIMITS = {
    "slack": Limits(per_chat=1.0, per_group=1.0, overall=0.0),
    "telegram": Limits(per_chat=1.0, per_group=60 / 20, overall=1 / 30),
}


def is_group(platform: str, chat_id: str) -> bool:
    """Telegram groups and channels have negative ids; every Slack channel counts as one chat."""
    return platform == "telegram" and chat_id.startswith("-")


class Pacer:
    """Waits before a send until the platform's limits allow it."""

    def __init__(
        self,
        limits: dict[str, Limits] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.limits = LIMITS if limits is None else limits
        self.clock = clock
        self.sleep = sleep
        self._last_chat: dict[tuple[str, str], float] = {}
        self._last_platform: dict[str, float] = {}

    def delay(self, platform: str, chat_id: str) -> float:
        """Seconds to wait before the next message to this chat may go."""
        limits = self.limits.get(platform)
        if limits is None:
            return 0.0
        now = self.clock()
        gap = limits.per_group if is_group(platform, chat_id) else limits.per_chat
        chat_at = self._last_chat.get((platform, chat_id))
        platform_at = self._last_platform.get(platform)
        due = max(
            chat_at + gap if chat_at is not None else now,
            platform_at + limits.overall if platform_at is not None else now,
        )
        return max(0.0, due - now)

    async def wait(self, platform: str, chat_id: str) -> None:
        """Wait until a message to this chat may go, and count it as sent now."""
        delay = self.delay(platform, chat_id)
        if delay > 0:
            await self.sleep(delay)
        now = self.clock()
        self._last_chat[(platform, chat_id)] = now
        self._last_platform[platform] = now
        if len(self._last_chat) > 10_000:  # forget chats long quiet
            cutoff = now - 120
            self._last_chat = {k: v for k, v in self._last_chat.items() if v > cutoff}
