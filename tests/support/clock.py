"""A clock the test moves by hand (thread-safe: replicas in threads read it too)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

START = datetime(2026, 3, 2, 9, 0)  # a Monday morning


class Clock:
    """Call it for the time; `advance(hours=2)` moves it, `now = ...` sets it."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self.now

    def advance(self, **kw: float) -> datetime:
        with self._lock:
            self.now += timedelta(**kw)
            return self.now
