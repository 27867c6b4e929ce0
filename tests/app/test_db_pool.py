"""The PostgreSQL pool pings a connection only when it sat idle (issue 15), and a connection the server
dropped meanwhile is replaced, not handed to the next unit of work."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from app import db
from app.db import Database

POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgresql")
pytestmark = pytest.mark.skipif(not POSTGRES, reason="needs a PostgreSQL server (DATABASE_URL=postgresql...)")


def _backend_pid(database: Database) -> int:
    with database.engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_busy_connection_is_not_pinged_and_an_idle_dropped_one_is_replaced(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    database = Database(database_url)
    pids: list[str] = []
    try:
        first = _backend_pid(database)
        assert _backend_pid(database) == first  # reused at once: no ping, same connection
        with Database(database_url).engine.connect() as admin:  # the server drops our idle connection
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
            admin.commit()
        monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)
        with database.transaction() as session:  # the ping finds it dead; a fresh one does the work
            pids.append(str(session.execute(text("SELECT pg_backend_pid()")).scalar_one()))
        assert pids and int(pids[0]) != first
    finally:
        database.dispose()
