"""`rabta seed --volume N`: realistic synthetic history for load tests and demos.

N payments over the last 90 days across agencies, channels and rails (with failures, expiries and refund
cases), one bill each, a citizen for about every five payments, applications with their status histories
(some overdue), the texts sent and received with delivery outcomes, their outbox rows, and USSD sessions
and hops (about 20 hops per payment). Only new rows are written (new citizens on the +92398 range, new
bills and applications): the demo citizens and their data are never touched.

Bulk loading: COPY on PostgreSQL (text format, chunk by chunk), `executemany` on SQLite.
"""

from __future__ import annotations

import math
import queue
import random
import threading
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import text

from analytics.volume_ussd import HOP_COLUMNS, PG_EXPAND, PG_SETUP, SESSION_COLUMNS, Planned, Shape, expand, pg_shapes
from app.db import Database
from app.timeutil import utcnow


@dataclass(frozen=True)
class Weighted:
    """A weighted choice with its cumulative weights computed once (it runs millions of times)."""

    values: tuple[Any, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, weighted: Sequence[tuple[Any, float]]) -> Weighted:
        total, running = sum(w for _, w in weighted), []
        acc = 0.0
        for _, weight in weighted:
            acc += weight / total
            running.append(acc)
        return cls(tuple(v for v, _ in weighted), tuple(running))

    def pick(self, rng: random.Random) -> Any:
        return self.values[min(bisect(self.cumulative, rng.random()), len(self.values) - 1)]


DEFER_INDEXES_FROM = 100_000  # payments: a bulk load, not a top-up (the refresh benchmark's one day)
CHUNK = 20_000  # payments per chunk: bounded memory, steady COPY
DAYS = 90
HOPS_PER_PAYMENT = 20
PREFIX = "+92398"  # synthetic numbers; the demo citizens are on +92300 / +92333
CHANNELS = Weighted.of((("app", 0.35), ("ussd", 0.30), ("sms", 0.10), ("bank", 0.25)))
FAILURES = ("insufficient_funds", "declined", "wallet_timeout", "wrong_pin", "limit_exceeded")
COMMANDS = Weighted.of((("PAY", 0.35), ("STATUS", 0.30), ("BILLS", 0.12), ("HELP", 0.08), ("STOP", 0.03),
                        ("unknown", 0.12)))
# Visible USSD journeys (screen ids of ussd.screens); the last screen of a completed journey ends it.
JOURNEYS = Weighted.of((
    (("home", "pay.psid", "pay.bill", "pay.wallet", "pay.pin", "pay.done"), 0.45),
    (("home", "status.tracking", "status.show", "home", "bills.list", "pay.bill", "pay.wallet", "pay.pin",
      "pay.done"), 0.30),
    (("home", "bills.list", "pay.bill", "pay.wallet", "pay.pin", "pay.done"), 0.15),
    (("home", "lang", "home", "status.tracking", "status.show"), 0.10),
))


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


def _pick(rng: random.Random, weighted: Weighted) -> Any:
    return weighted.pick(rng)


@dataclass
class Ids:
    """Next free id per table (rows are written with explicit ids so companions can point at them)."""

    next: dict[str, int]

    def take(self, table: str, count: int = 1) -> int:
        first = self.next[table]
        self.next[table] = first + count
        return first


TABLES = ("citizen", "bill", "payment", "payment_event", "service_request", "status_event", "notification",
          "sms_outbound", "sms_inbound", "ussd_hop", "ussd_session")


def _start_ids(db: Database) -> Ids:
    with db.engine.connect() as connection:
        return Ids({table: int(connection.execute(text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar() or 0)
                    + 1 for table in TABLES})


def _catalogue(db: Database) -> tuple[list[int], list[tuple[int, int, str, int]], int]:
    """Agencies and services (the demo catalogue, created if missing); how many synthetic citizens exist."""
    from app.catalogue.service import upsert_agency, upsert_service
    from app.seed import AGENCIES, SERVICES

    with db.transaction() as session:
        agencies = {spec["code"]: upsert_agency(session=session, **spec) for spec in AGENCIES}
        services = [upsert_service(session=session, agency=agencies[spec["agency"]],
                                   **{k: v for k, v in spec.items() if k != "agency"}) for spec in SERVICES]
        existing = session.execute(text("SELECT count(*) FROM citizen WHERE msisdn LIKE :p"),
                                   {"p": PREFIX + "%"}).scalar() or 0
        return ([a.id for a in agencies.values() if a.id], [(s.id or 0, s.agency_id, s.code, s.sla_days)
                                                            for s in services], int(existing))


def seed_volume(db: Database, payments: int, *, seed: int = 11, progress: Callable[[str], None] = print,
                days: int = DAYS, reset_watermarks: bool = True) -> dict[str, int]:
    """Write `payments` payments and their companions over the last `days` days; returns row counts per
    table. `days=1, reset_watermarks=False` is "one more day of traffic" (the refresh benchmark)."""
    from analytics.volume_rows import Generator

    agencies, services, existing = _catalogue(db)
    ids = _start_ids(db)
    sink = Sink(db)
    counts = dict.fromkeys(TABLES, 0)
    deferred = sink.defer_indexes() if sink.pg and payments >= DEFER_INDEXES_FROM else []
    generator = Generator(rng=random.Random(seed + existing), sink=sink, ids=ids, agencies=agencies,
                          services=services, now=utcnow().timestamp(), citizen_offset=existing,
                          tracking=_tracking_serials(db))
    try:
        for done, tables, planned, starts in _prefetched(_chunks(generator, payments, days)):
            for table, (columns, values) in tables:
                sink.write(table, columns, values)
                counts[table] += len(values)
            sessions, hops = sink.ussd(generator.pool, planned, starts)
            counts["ussd_session"] += sessions
            counts["ussd_hop"] += hops
            sink.commit()
            progress(f"  {done:>10,} payments written")
        if sink.pg:
            _fix_sequences(sink)
        if reset_watermarks:  # the history is behind every watermark: the next refresh recomputes everything
            cursor = sink.raw.cursor()
            cursor.execute("DELETE FROM analytics_watermark")
            cursor.close()
            sink.commit()
    finally:
        if sink.pg:
            sink.rebuild(deferred)
        sink.close()
    return counts


Chunk = tuple[int, list[tuple[str, Any]], list[Planned], list[float]]


def _chunks(generator: Any, payments: int, days: int) -> Iterator[Chunk]:
    """Each chunk's rows: (payments so far, [(table, (columns, rows))], planned USSD sessions, their starts)."""
    chunks = max(math.ceil(payments / CHUNK), 1)
    for index, done in enumerate(range(0, payments, CHUNK)):
        size = min(CHUNK, payments - done)
        # Oldest days first, each chunk its own slice of the 90 days (a day may be shared at the edges).
        window = (DAYS - days + days * index // chunks,
                  DAYS - days + max(days * (index + 1) // chunks, days * index // chunks + 1))
        tables = list(generator.chunk(size, window))
        yield (done + size, tables, *generator.ussd(size * HOPS_PER_PAYMENT))


def _prefetched(chunks: Iterator[Chunk]) -> Iterator[Chunk]:
    """Draw the next chunk in a thread while this one is written: the database works while Python draws
    (the driver lets go of the GIL while it waits), so the two overlap instead of taking turns."""
    ready: queue.Queue[Chunk | BaseException | None] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def produce() -> None:
        try:
            for chunk in chunks:
                while not stop.is_set():
                    try:
                        ready.put(chunk, timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put(None)
        except BaseException as exc:  # handed to the writer, which raises it
            ready.put(exc)

    thread = threading.Thread(target=produce, name="seed-volume-rows", daemon=True)
    thread.start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=10)


def _tracking_serials(db: Database) -> dict[str, int]:
    """Synthetic tracking numbers count from 500000 per service, after any earlier volume run's."""
    with db.engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT s.code, count(*) FROM service_request r JOIN service s ON s.id = r.service_id "
            "WHERE r.tracking_number LIKE '%-5_____' OR r.tracking_number LIKE '%-6_____' GROUP BY s.code"))
        return {code: 500_000 + int(count) for code, count in rows}


def _fix_sequences(sink: Sink) -> None:
    cursor = sink.raw.cursor()
    for table in TABLES:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                       f"(SELECT coalesce(max(id), 1) FROM {table}))")
    cursor.close()
    sink.commit()
