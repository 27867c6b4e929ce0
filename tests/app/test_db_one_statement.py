"""`Database.one_statement()`: a single-statement write is committed by itself (autocommit on PostgreSQL,
no BEGIN/COMMIT round trips, issue 15), and a unit of work that records domain events is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.bus import Event, record
from app.runtime import Runtime


@pytest.fixture
def probe(runtime: Runtime):  # type: ignore[no-untyped-def]
    with runtime.db.transaction() as session:
        session.execute(text("CREATE TABLE IF NOT EXISTS one_statement_probe (n integer NOT NULL)"))
        session.execute(text("DELETE FROM one_statement_probe"))
    yield
    with runtime.db.transaction() as session:
        session.execute(text("DROP TABLE one_statement_probe"))


def _rows(runtime: Runtime) -> list[int]:
    with runtime.db.reading() as session:
        return list(session.execute(text("SELECT n FROM one_statement_probe ORDER BY n")).scalars())


def test_the_statement_is_committed_and_on_postgresql_runs_in_autocommit(runtime: Runtime, probe: None) -> None:
    with runtime.db.one_statement() as session:
        session.execute(text("INSERT INTO one_statement_probe VALUES (1), (2)"))
        dbapi = session.connection().connection.dbapi_connection
        assert dbapi is not None
        assert bool(getattr(dbapi, "autocommit", False)) == (not runtime.db.is_sqlite)
    assert _rows(runtime) == [1, 2]
    with runtime.db.transaction() as session:  # the pooled connection is a real transaction again
        dbapi = session.connection().connection.dbapi_connection
        if not runtime.db.is_sqlite:
            assert dbapi is not None and not dbapi.autocommit


def test_a_failing_statement_writes_nothing(runtime: Runtime, probe: None) -> None:
    with pytest.raises(IntegrityError), runtime.db.one_statement() as session:
        session.execute(text("INSERT INTO one_statement_probe VALUES (1), (NULL)"))
    assert _rows(runtime) == []


class _Probed(Event):
    pass


def test_recording_a_domain_event_is_refused_and_the_write_undone_where_it_can_be(
        runtime: Runtime, probe: None) -> None:
    with pytest.raises(RuntimeError, match="cannot publish"), runtime.db.one_statement() as session:
        session.execute(text("INSERT INTO one_statement_probe VALUES (3)"))
        record(session, _Probed())
    # PostgreSQL committed the statement by itself (why events cannot ride along); SQLite's transaction rolled back
    assert _rows(runtime) == ([] if runtime.db.is_sqlite else [3])
