"""Where the rows of `rabta seed --volume` go: COPY on PostgreSQL (the USSD hops expanded by the server, the
plain indexes dropped and built once at the end), `executemany` on SQLite with the bulk-load pragmas of this
connection only. See `analytics.volume`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from analytics.volume_ussd import HOP_COLUMNS, PG_EXPAND, PG_SETUP, SESSION_COLUMNS, Planned, Shape, expand, pg_shapes
from app.db import Database

TABLES = ("citizen", "bill", "payment", "payment_event", "service_request", "status_event", "notification",
          "sms_outbound", "sms_inbound", "ussd_hop", "ussd_session")


@lru_cache(maxsize=4096)
def _day(day_number: int) -> str:
    return datetime.fromtimestamp(day_number * 86400, UTC).strftime("%Y-%m-%d ")


@dataclass
class Sink:
    """Where rows go: COPY on PostgreSQL, executemany on SQLite. Timestamps are pre-formatted text."""

    db: Database

    def __post_init__(self) -> None:
        self.pg = not self.db.is_sqlite
        self.suffix = "+00" if self.pg else ""
        self.raw: Any = self.db.engine.raw_connection()
        self.shapes_loaded = False
        if self.pg:
            cursor = self.raw.cursor()
            # A bulk load: no fsync wait per chunk; and the rows are consistent by construction, so skip the
            # per-row foreign-key triggers where the role may (a superuser), as pg_restore does.
            cursor.execute("SET synchronous_commit = off")
            cursor.execute("SET work_mem = '64MB'")  # each chunk's hops are sorted by id as they go in
            try:
                cursor.execute("SET session_replication_role = replica")
            except Exception:
                self.raw.rollback()
                cursor.execute("SET synchronous_commit = off")
                cursor.execute("SET work_mem = '64MB'")
            cursor.close()
        else:  # a bulk load on this connection only: the rows are consistent by construction
            cursor = self.raw.cursor()
            cursor.execute("PRAGMA foreign_keys=OFF")
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-262144")  # 256 MB of page cache
            cursor.close()
        self._begin()

    def _begin(self) -> None:
        if not self.pg:  # our SQLite connections autocommit unless told BEGIN (see app.db)
            self.raw.cursor().execute("BEGIN IMMEDIATE")

    def ts(self, epoch: float) -> str:
        """UTC text both databases read (formatting by hand: strftime per row dominated the run)."""
        micros = int(epoch * 1_000_000)
        days, rest = divmod(micros, 86_400_000_000)
        seconds, fraction = divmod(rest, 1_000_000)
        hours, seconds = divmod(seconds, 3600)
        minutes, seconds = divmod(seconds, 60)
        return f"{_day(days)}{hours:02d}:{minutes:02d}:{seconds:02d}.{fraction:06d}{self.suffix}"

    def write(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        names = ", ".join(f'"{c}"' for c in columns)
        cursor = self.raw.cursor()
        if self.pg:  # psycopg formats each row in C (text COPY: values are text, bools t/f, None \\N)
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        cursor.close()

    def ussd(self, pool: list[Shape], planned: list[Planned], starts: list[float]) -> tuple[int, int]:
        """Write the planned sessions and their hops; returns (sessions, hops)."""
        if not self.pg:
            sessions, hops = expand(pool, planned, starts, self.ts)
            self.write("ussd_hop", HOP_COLUMNS, hops)
            self.write("ussd_session", SESSION_COLUMNS, sessions)
            return len(sessions), len(hops)
        cursor = self.raw.cursor()
        if not self.shapes_loaded:
            for statement in PG_SETUP:
                cursor.execute(statement)
            heads, shape_hops = pg_shapes(pool)
            self.write("seed_shape", ("shape", "outcome", "hops", "duration_ms", "last_screen"), heads)
            self.write("seed_shape_hop", ("shape", "k", "offset_us", "screen", "events", "left", "left_events",
                                          "ms"), shape_hops)
            cursor.execute("ANALYZE seed_shape, seed_shape_hop")
            self.shapes_loaded = True
        self.write("seed_session", ("id", "session_id", "started_at", "shape", "first_hop"), planned)
        counts = []
        for statement in PG_EXPAND:
            cursor.execute(statement)
            counts.append(cursor.rowcount)
        cursor.close()
        return counts[0], counts[1]

    def defer_indexes(self) -> list[str]:
        """PostgreSQL: drop the plain indexes of the seeded tables (unique ones stay: they are constraints)
        and return their definitions; building them once at the end costs far less than keeping them up to
        date row by row."""
        cursor = self.raw.cursor()
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                       "AND tablename = ANY(%s) AND indexdef NOT LIKE 'CREATE UNIQUE %%' ORDER BY indexname",
                       (list(TABLES),))
        deferred = [(str(name), str(definition)) for name, definition in cursor.fetchall()]
        for name, _ in deferred:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.close()
        self.commit()
        return [definition for _, definition in deferred]

    def rebuild(self, definitions: list[str]) -> None:
        """Build the deferred indexes again, then ANALYZE: the planner must know the tables grew."""
        self.raw.rollback()  # if the load failed half-way, its transaction is aborted
        cursor = self.raw.cursor()
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for definition in definitions:
            cursor.execute(definition)
            self.raw.commit()
        for table in TABLES:
            cursor.execute(f"ANALYZE {table}")
        cursor.close()
        self.raw.commit()

    def commit(self) -> None:
        if self.pg:
            self.raw.commit()
        else:
            self.raw.cursor().execute("COMMIT")
            self._begin()

    def close(self) -> None:
        if self.pg:  # the connection goes back to the pool as it came: settings reset, temporary tables gone
            self.raw.rollback()
            cursor = self.raw.cursor()
            cursor.execute("DROP TABLE IF EXISTS seed_shape, seed_shape_hop, seed_session")
            cursor.execute("RESET ALL")
            cursor.close()
            self.raw.commit()
        else:
            cursor = self.raw.cursor()
            cursor.execute("ROLLBACK")  # the empty transaction `commit` opened
            for pragma in ("foreign_keys=ON", "synchronous=NORMAL", "cache_size=-2000"):  # as app.db sets them
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()
        self.raw.close()
