"""`Database.reading()`: a display read costs no BEGIN/COMMIT round trips on PostgreSQL (issue 15), sees what
was committed, and leaves the pooled connection as it found it for the next unit of work."""

from __future__ import annotations

from sqlalchemy import event, text

from app.db import Database
from app.runtime import Runtime


def _is_postgres(database: Database) -> bool:
    return database.engine.dialect.name == "postgresql"


def test_a_read_sees_committed_rows_and_on_postgresql_sends_no_begin_or_commit(runtime: Runtime) -> None:
    database = runtime.db
    with database.transaction() as session:
        session.execute(text("CREATE TABLE IF NOT EXISTS reading_probe (n integer)"))
        session.execute(text("DELETE FROM reading_probe"))
        session.execute(text("INSERT INTO reading_probe VALUES (7)"))
    sent: list[str] = []

    def on_execute(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(statement.split()[0].upper())

    event.listen(database.engine, "before_cursor_execute", on_execute)
    try:
        with database.reading() as session:
            assert session.execute(text("SELECT n FROM reading_probe")).scalar_one() == 7
            dbapi = session.connection().connection.dbapi_connection
            if _is_postgres(database):
                assert dbapi is not None and dbapi.autocommit  # psycopg sends no BEGIN in autocommit
    finally:
        event.remove(database.engine, "before_cursor_execute", on_execute)
        with database.transaction() as session:
            session.execute(text("DROP TABLE reading_probe"))
    # SQLite's deferred BEGIN is a local call of ours, not a round trip: only PostgreSQL must skip it
    assert [s for s in sent if s != "BEGIN"] == ["SELECT"]


def test_the_next_unit_of_work_on_the_same_connection_is_a_real_transaction_again(runtime: Runtime) -> None:
    database = runtime.db
    with database.reading() as session:
        session.execute(text("SELECT 1"))
    with database.transaction() as session:
        dbapi = session.connection().connection.dbapi_connection
        if _is_postgres(database):
            assert dbapi is not None and not dbapi.autocommit  # psycopg will BEGIN before the first statement
