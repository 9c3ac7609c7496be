"""ORM table of privacy state: the key that turns ids into pseudonyms."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base


class PseudonymKeyRecord(Base):
    """The one random key of this installation (shared by every replica through the database)."""

    __tablename__ = "pseudonym_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    key_hex: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime)
