"""Database engine and units of work.

SQLite gets WAL, a busy timeout and `BEGIN IMMEDIATE` for transactions that read
then write, so concurrent writers queue up instead of failing with
"database is locked". PostgreSQL needs none of that.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import NullPool
from sqlmodel import Session, SQLModel, col, create_engine, select

from app.bus import Event, drop_events, take_events

# The constraint naming convention is set in `app/__init__.py`, before any table exists.
metadata: MetaData = SQLModel.metadata

SQLITE_BUSY_TIMEOUT_MS = 30_000
IMMEDIATE_KEY = "rabta_begin_immediate"
DATABASE_KEY = "rabta_database"  # session.info: the Database that opened the session
log = logging.getLogger("rabta.db")
Publisher = Callable[[Sequence[Event]], None]


def _configure_sqlite(engine: Engine, read_only: bool = False) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us issue BEGIN ourselves (pysqlite's implicit BEGIN is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(IMMEDIATE_KEY, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """`read_only` (a replica for dashboards and exports) makes every write fail, on either engine."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               poolclass=NullPool)
        _configure_sqlite(engine, read_only)
        return engine
    connect_args = {"options": "-c default_transaction_read_only=on"} if read_only else {}
    engine = create_engine(url, pool_size=10, max_overflow=20, connect_args=connect_args)
    _ping_when_idle(engine)
    return engine


IDLE_PING_SECONDS = 10.0


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection before use only when it sat idle for a while (a database restart or a
    firewall's idle cut shows there). `pool_pre_ping` pinged on every checkout: one more round trip per
    unit of work, the busiest connections being the least likely to be stale. A connection that breaks
    while busy fails its unit of work once, and SQLAlchemy then discards the whole stale pool."""

    @event.listens_for(engine, "checkin")
    def _stamp(_dbapi_connection: Any, record: Any) -> None:
        record.info["rabta_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("rabta_idle_since")
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return  # new (just connected) or recently used
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # the pool retries the checkout on a fresh connection
            raise DisconnectionError("idle connection is gone") from exc


class Database:
    """Owns the engine and hands out sessions (units of work).

    `publish` receives the domain events a unit of work recorded (`app.bus.record`) once its
    outermost transaction commits; `app.bootstrap` sets it to the message bus. Without one
    (a bare script) events are dropped and the periodic sweeps do the work instead.
    """

    def __init__(self, url: str, publish: Publisher | None = None, *, read_only: bool = False) -> None:
        self.url = url
        self.read_only = read_only
        self.engine = make_engine(url, read_only=read_only)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self.publish = publish
        self._anchor: tuple[int, Any] | None = None

    def _keep_wal_open(self) -> None:
        """SQLite checkpoints and deletes the WAL when a process's last connection closes, which
        with NullPool is after every unit of work (~15 ms of fsync each). One idle connection per
        process, never inside a transaction, keeps the WAL open; it is reopened after a fork."""
        if self._anchor is not None and self._anchor[0] == os.getpid():
            return
        connection = self.engine.raw_connection()
        connection.cursor().execute("SELECT count(*) FROM sqlite_master").fetchall()
        self._anchor = (os.getpid(), connection)

    def session(self) -> Session:
        if self.is_sqlite and self.engine.url.database not in (None, "", ":memory:"):
            self._keep_wal_open()
        return UnitOfWork(self.engine, expire_on_commit=False, info={DATABASE_KEY: self})

    def after_commit(self, session: Session) -> None:
        if session.in_nested_transaction():  # a SAVEPOINT was released; the real commit is still to come
            return
        events = take_events(session)
        if events and self.publish is not None:
            try:
                self.publish(events)
            except Exception:  # a failed kick is recovered by the periodic sweeps
                log.exception("publishing %d events failed", len(events))

    @contextmanager
    def transaction(self, *, immediate: bool = True) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any error.

        `immediate` takes SQLite's write lock up front so a read-then-write
        never deadlocks against another writer; PostgreSQL ignores it.
        """
        session = self.session()
        try:
            if immediate and self.is_sqlite and not self.read_only:
                session.connection(execution_options={IMMEDIATE_KEY: True})
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A unit of work that only reads, for answers shown to someone (a screen, a page, an inquiry).

        On PostgreSQL it runs in autocommit: no BEGIN and no COMMIT, two of the three round trips a
        one-query read otherwise costs. Each statement then sees its own snapshot, which is fine for a
        display: anything that acts on what was shown (paying, deciding) re-reads it inside a write
        transaction. Writing here is a bug: PostgreSQL would make each write permanent at once.
        SQLite (a local file, no round trips) uses a deferred transaction as before."""
        with self._autocommit(immediate=False) as session:
            yield session

    @contextmanager
    def one_statement(self) -> Iterator[Session]:
        """A write that is a single statement (an INSERT, or a data-modifying WITH doing several).

        On PostgreSQL it runs in autocommit: a statement is atomic on its own, so BEGIN and COMMIT would be
        two round trips for nothing (issue 15); SQLite uses a transaction. Nothing here may record domain
        events (they are published on commit, which autocommit has not): use `transaction()` for that."""
        with self._autocommit(immediate=True) as session:
            yield session
            if take_events(session):
                raise RuntimeError("one_statement() cannot publish domain events; use transaction()")

    @contextmanager
    def _autocommit(self, *, immediate: bool) -> Iterator[Session]:
        """A session whose statements commit themselves on PostgreSQL; a `transaction()` on SQLite."""
        if self.is_sqlite:
            with self.transaction(immediate=immediate) as session:
                yield session
            return
        session = self.session()
        try:
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            yield session
        finally:
            session.close()

    def dispose(self) -> None:
        if self._anchor is not None and self._anchor[0] == os.getpid():
            self._anchor[1].close()
        self._anchor = None
        self.engine.dispose()


def preload(session: Session, model: Any, ids: Iterable[int | None]) -> list[Any]:
    """Load the rows a page of results refers to (agencies, services...) in one query.

    The session's identity map holds rows only weakly: the caller keeps the returned list
    alive while rendering, so the per-row `session.get` calls inside the shared renderings
    hit the map instead of the database.
    """
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return []
    return list(session.exec(select(model).where(col(model.id).in_(wanted))))


class UnitOfWork(Session):
    """The sessions `Database` hands out. Its commit and rollback hooks are registered once, on this
    class (a listener per session instance cost more than a small query)."""


@event.listens_for(UnitOfWork, "after_commit")
def _after_commit(session: Session) -> None:
    database = session.info.get(DATABASE_KEY)
    if database is not None:
        database.after_commit(session)


@event.listens_for(UnitOfWork, "after_rollback")
def _after_rollback(session: Session) -> None:
    if session.in_nested_transaction():  # only a SAVEPOINT rolled back: the outer work may still commit
        return
    drop_events(session)



# --- one-line connection errors (issue 16) -------------------------------------------------------------


def describe_connection_error(url: str, error: BaseException) -> str:
    """One line for an operator: which setting, its value (password hidden), what went wrong, what to do."""
    from app.settings import hide_password

    parsed = make_url(url)
    shown = f"DATABASE_URL={hide_password(url)}"
    message = str(getattr(error, "orig", None) or error)
    lowered = message.lower()
    if parsed.get_backend_name() == "sqlite":
        return f"{shown}: cannot open the SQLite file ({message.splitlines()[0]}); check the path and its folder"
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    if "does not exist" in lowered and "database" in lowered:
        return (f"{shown}: the server at {where} has no database {parsed.database!r}; create it "
                f"(createdb -h {parsed.host or 'localhost'} -p {parsed.port or 5432} {parsed.database}) "
                "or fix the name in DATABASE_URL")
    if "password authentication failed" in lowered or "authentication failed" in lowered:
        return f"{shown}: the server at {where} refused user {parsed.username!r}; fix the user or password"
    if "refused" in lowered or "could not connect" in lowered or "timeout" in lowered or "resolve" in lowered:
        return f"{shown}: no PostgreSQL answers at {where}; start it or fix the host and port in DATABASE_URL"
    first_line = message.strip().splitlines()[0] if message.strip() else type(error).__name__
    return f"{shown}: cannot connect ({first_line}); fix DATABASE_URL"


def check_database(url: str) -> None:
    """Connect once; raise ConfigurationError (one line) when the database cannot be reached."""
    from sqlalchemy.exc import DBAPIError

    from app.settings import ConfigurationError

    if make_url(url).get_backend_name() == "sqlite":
        engine = make_engine(url)
    else:  # a throwaway engine that gives up quickly on an unreachable host
        engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except DBAPIError as exc:
        raise ConfigurationError(describe_connection_error(url, exc)) from None
    finally:
        engine.dispose()
