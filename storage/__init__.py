"""The database: the ORM base, engines, sessions, the clock of stored times, and the migrations."""

from storage.db import Base, make_engine, migrate, open_database, session_factory, utcnow

__all__ = ["Base", "make_engine", "migrate", "open_database", "session_factory", "utcnow"]
