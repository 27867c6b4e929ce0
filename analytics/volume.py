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
from typing import Any

from sqlalchemy import text

from analytics.volume_sink import TABLES, Sink
from analytics.volume_ussd import Planned
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


__all__ = ["CHUNK", "DAYS", "TABLES", "Sink", "Weighted", "seed_volume"]
