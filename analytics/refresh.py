"""`rabta analytics refresh`: bring every roll-up up to date, incrementally.

Per source: read its watermark, find the local hours holding rows changed since then (minus an overlap
for transactions that committed late), recompute those hours from the raw rows and upsert them
(`ON CONFLICT DO UPDATE` on SQLite and PostgreSQL alike). Recomputing whole hours, never adding deltas,
is what makes it safe to run twice, to run two at once and to run while traffic flows: every run writes
what the raw rows say.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, delete, select, text, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlmodel import Session, col

from analytics.buckets import NBINS, add_hist, hour_ranges, local_hour
from analytics.models import DailyRollup, Rollup, Watermark
from analytics.sources import Source, sources
from app.db import Database
from app.timeutil import UTCDateTime, utcnow, zone

log = logging.getLogger("rabta.analytics")

OVERLAP = timedelta(minutes=5)  # a transaction open longer than this when the refresh ran is missed once
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Key = tuple[Any, str, int, str, str]  # bucket (hour) or day, metric, agency_id, channel, dim


@lru_cache(maxsize=65536)
def _sqlite_local(value_minute: str, zone_name: str, day: bool) -> str:
    moment = datetime.fromisoformat(value_minute).replace(tzinfo=UTC).astimezone(zone(zone_name))
    return moment.strftime("%Y-%m-%d 00:00:00" if day else "%Y-%m-%d %H:00:00")


def _install_sqlite_functions(connection: Connection) -> None:
    """SQLite has no time zones: the local hour of a stored UTC time comes from Python (cached per minute)."""
    raw: Any = connection.connection.driver_connection
    raw.create_function("rabta_local_hour", 2, lambda v, z: None if v is None else _sqlite_local(v[:16], z, False),
                        deterministic=True)
    raw.create_function("rabta_local_day", 2, lambda v, z: None if v is None else _sqlite_local(v[:16], z, True),
                        deterministic=True)


def _as_datetime(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _utc(sql: str, *names: str) -> Any:
    return text(sql).bindparams(*(bindparam(name, type_=UTCDateTime()) for name in names))


def _touched(connection: Connection, source: Source, since: datetime, zone_name: str, postgres: bool) -> set[datetime]:
    hour = "date_trunc('hour', x.t AT TIME ZONE :tz)" if postgres else "rabta_local_hour(x.t, :tz)"
    rows = connection.execute(_utc(f"SELECT DISTINCT {hour} FROM ({source.touched_sql}) x", "since"),
                              {"since": since, "tz": zone_name})
    return {_as_datetime(value) for (value,) in rows if value is not None}


def compute(connection: Connection, source: Source, utc_lo: datetime, utc_hi: datetime,
            zone_name: str) -> dict[Key, list[Any]]:
    """key -> [count, total, hist] for every metric of `source` over [utc_lo, utc_hi)."""
    figures: dict[Key, list[Any]] = {}
    for query in source.metrics:
        rows = connection.execute(_utc(query.sql, "lo", "hi"), {"lo": utc_lo, "hi": utc_hi, "tz": zone_name})
        for bucket, agency_id, channel, dim, count, total, binned, *more in rows:
            at, agency, channel, dim = _as_datetime(bucket), int(agency_id or 0), channel or "", (dim or "")[:48]
            for metric, counted in zip(query.also, more, strict=True):
                if counted:
                    figures.setdefault((at, metric, agency, channel, dim), [0, 0, None])[0] += int(counted)
            if not count:  # a group only the `also` metrics count
                continue
            entry = figures.setdefault((at, query.metric, agency, channel, dim), [0, 0, None])
            entry[0] += int(count)
            entry[1] += int(total or 0)
            if binned is not None:
                entry[2] = entry[2] or [0] * NBINS
                entry[2][int(binned)] += int(count)
    return figures


KEY_COLUMNS = ("metric", "agency_id", "channel", "dim")


def _trimmed(hist: list[int] | None) -> list[int] | None:
    """Trailing empty bins are not stored (most durations are short): smaller roll-ups, same sums."""
    if hist is None:
        return None
    end = len(hist)
    while end > 1 and hist[end - 1] == 0:
        end -= 1
    return hist[:end]


def upsert(session: Session, model: Any, figures: dict[Key, list[Any]], postgres: bool) -> None:
    """Sorted by key, so two refreshes at once take row locks in the same order (no deadlock)."""
    first = "bucket" if model is Rollup else "day"
    rows = [{first: key[0], "metric": key[1], "agency_id": key[2], "channel": key[3], "dim": key[4],
             "count": value[0], "total": value[1], "hist": _trimmed(value[2])}
            for key, value in sorted(figures.items())]
    for start in range(0, len(rows), 2000):
        statement = postgresql.insert(model) if postgres else sqlite.insert(model)
        statement = statement.on_conflict_do_update(
            index_elements=[first, *KEY_COLUMNS],
            set_={"count": statement.excluded.count, "total": statement.excluded.total,
                  "hist": statement.excluded.hist})
        session.execute(statement, rows[start:start + 2000])


def drop_stale(session: Session, model: Any, metrics: Iterable[str], lo: Any, hi: Any,
               keep: dict[Key, Any]) -> int:
    """Rows of these buckets whose key the raw data no longer produces (e.g. a failure reason that changed)."""
    first: Any = model.bucket if model is Rollup else model.day
    columns = (first, col(model.metric), col(model.agency_id), col(model.channel), col(model.dim))
    existing = session.execute(select(*columns).where(col(model.metric).in_(sorted(set(metrics))), first >= lo,
                                                      first < hi))
    stale = [tuple(row) for row in existing if tuple(row) not in keep]
    for start in range(0, len(stale), 500):
        session.execute(delete(model).where(tuple_(*columns).in_(stale[start:start + 500])))
    return len(stale)


def roll_days(session: Session, metrics: list[str], local_lo: datetime, local_hi: datetime,
              postgres: bool) -> None:
    """Sum the hours of every local day in [local_lo, local_hi) into `analytics_daily`."""
    day_lo = local_lo.replace(hour=0)
    day_hi = local_hi if local_hi.hour == 0 else local_hi.replace(hour=0) + timedelta(days=1)
    rows = session.execute(
        select(col(Rollup.bucket), col(Rollup.metric), col(Rollup.agency_id), col(Rollup.channel), col(Rollup.dim),
               col(Rollup.count), col(Rollup.total), col(Rollup.hist))
        .where(col(Rollup.metric).in_(sorted(set(metrics))), col(Rollup.bucket) >= day_lo,
               col(Rollup.bucket) < day_hi))
    days: dict[Key, list[Any]] = {}
    for bucket, metric, agency_id, channel, dim, count, total, hist in rows:
        entry = days.setdefault((bucket.date(), metric, agency_id, channel, dim), [0, 0, None])
        entry[0] += count
        entry[1] += total
        entry[2] = add_hist(entry[2], hist)
    upsert(session, DailyRollup, days, postgres)
    drop_stale(session, DailyRollup, metrics, day_lo.date(), day_hi.date(), days)


def _watermark(session: Session, name: str) -> datetime:
    mark = session.get(Watermark, name)
    return mark.changed_until - OVERLAP if mark is not None else EPOCH


def _set_watermark(session: Session, name: str, until: datetime, postgres: bool) -> None:
    statement = (postgresql.insert(Watermark) if postgres else sqlite.insert(Watermark)).values(
        source=name, changed_until=until, refreshed_at=utcnow())
    session.execute(statement.on_conflict_do_update(
        index_elements=["source"], set_={"changed_until": until, "refreshed_at": utcnow()}))


def refresh_source(db: Database, source: Source, zone_name: str) -> int:
    """Recompute the hours `source` touched since its watermark; return how many hours."""
    postgres = not db.is_sqlite
    with db.transaction() as session:
        connection = session.connection()
        if not postgres:
            _install_sqlite_functions(connection)
        started = utcnow()
        hours = _touched(connection, source, _watermark(session, source.name), zone_name, postgres)
        metrics = [metric for query in source.metrics for metric in (query.metric, *query.also)]
        for local_lo, local_hi, utc_lo, utc_hi in hour_ranges(hours, zone_name, whole_days=source.whole_days):
            figures = compute(connection, source, utc_lo, utc_hi, zone_name)
            upsert(session, Rollup, figures, postgres)
            drop_stale(session, Rollup, metrics, local_lo, local_hi, figures)
            roll_days(session, metrics, local_lo, local_hi, postgres)
        _set_watermark(session, source.name, started, postgres)
    return len(hours)


def refresh(db: Database, zone_name: str, hours: dict[str, int] | None = None) -> dict[str, float]:
    """Every source, then the backlog snapshot; returns seconds per source (for the CLI and the benchmark)
    and fills `hours` (source -> hours recomputed) when given. Quiet when nothing changed."""
    from analytics.backlog import snapshot_backlog

    timings: dict[str, float] = {}
    for source in sources(postgres=not db.is_sqlite):
        began = time.perf_counter()
        recomputed = refresh_source(db, source, zone_name)
        timings[source.name] = time.perf_counter() - began
        if hours is not None:
            hours[source.name] = recomputed
        log.log(logging.INFO if recomputed else logging.DEBUG, "analytics refresh: %s, %d hour(s) recomputed in "
                "%.2fs", source.name, recomputed, timings[source.name])
    began = time.perf_counter()
    with db.transaction() as session:
        snapshot_backlog(session, utcnow(), not db.is_sqlite)
    timings["backlog"] = time.perf_counter() - began
    return timings


__all__ = ["compute", "local_hour", "refresh", "refresh_source"]
