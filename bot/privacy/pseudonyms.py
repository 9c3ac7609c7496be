"""Keyed pseudonyms: the same id always gives the same opaque token, and nobody without the key
can go back from the token to the id (HMAC-SHA256)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading

from sqlalchemy.orm import sessionmaker

from bot.privacy.records import PseudonymKeyRecord
from storage.db import insert_missing, utcnow

TOKEN_CHARS = 16  # 64 bits: no collisions at community scale, short enough for a CSV column


class Pseudonyms:
    """Turns person, account and chat ids into stable pseudonyms under one installation key."""

    def __init__(self, sessions: sessionmaker, configured_key: str = "") -> None:
        self._sessions = sessions
        self._configured = configured_key.encode() if configured_key else b""
        self._key: bytes | None = None
        self._lock = threading.Lock()

    def key(self) -> bytes:
        """The key: the configured one, else the stored random one (created on first use)."""
        if self._configured:
            return self._configured
        with self._lock:
            if self._key is None:
                self._key = self._load_or_create()
            return self._key

    def of(self, value: object, kind: str = "person") -> str:
        """The pseudonym of `value` (an id of the given kind); "" stays "" (nothing to hide)."""
        text = str(value) if value is not None else ""
        if not text:
            return ""
        digest = hmac.new(self.key(), f"{kind}:{text}".encode(), hashlib.sha256).hexdigest()
        return digest[:TOKEN_CHARS]

    def _load_or_create(self) -> bytes:
        """Read the stored key; two replicas creating it at once agree on the first one written."""
        with self._sessions.begin() as s:
            insert_missing(
                s,
                PseudonymKeyRecord,
                {"id": 1, "key_hex": secrets.token_hex(32), "created_at": utcnow()},
            )
        with self._sessions() as s:
            row = s.get(PseudonymKeyRecord, 1)
            assert row is not None  # inserted just above
            return bytes.fromhex(row.key_hex)
