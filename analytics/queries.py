"""Reading the daily roll-ups for a period and a scope: the only queries dashboards and the public page run.

A period is a run of local days (deployment zone), inclusive; the previous period is the same number of
days just before it. A scope is an agency (officers, supervisors) or None (admins: every agency).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlmodel import Session, col

from analytics.buckets import NBINS, add_hist
from app.catalogue.models import Agency, Service

RANGES: dict[str, int] = {"today": 1, "7d": 7, "30d": 30, "90d": 90}
MAX_CUSTOM_DAYS = 366
# Distinct counts kept per agency *and* platform-wide (agency 0): an admin reads the platform row, not a sum.
PLATFORM_TOTALS = frozenset({"cit.active"})


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    key: str = "7d"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1), self.key)

    def each_day(self) -> list[date]:
        return [self.start + timedelta(days=offset) for offset in range(self.days)]

    def query(self) -> dict[str, str]:
        if self.key == "custom":
            return {"range": "custom", "from": self.start.isoformat(), "to": self.end.isoformat()}
        return {"range": self.key}


def parse_period(args: Mapping[str, str], today: date) -> tuple[Period, str | None]:
    """The period asked for, or the last 7 days with a reason when the request does not make sense."""
    key = args.get("range", "7d")
    if key in RANGES:
        return Period(today - timedelta(days=RANGES[key] - 1), today, key), None
    if key == "custom":
        try:
            start, end = date.fromisoformat(args.get("from", "")), date.fromisoformat(args.get("to", ""))
        except ValueError:
            return parse_period({}, today)[0], "Enter both dates as YYYY-MM-DD."
        if start > end:
            return parse_period({}, today)[0], "The start date must not be after the end date."
        if (end - start).days + 1 > MAX_CUSTOM_DAYS:
            return parse_period({}, today)[0], f"A custom range is at most {MAX_CUSTOM_DAYS} days."
        return Period(start, end, "custom"), None
    return parse_period({}, today)[0], None


POSITIONS = {"day": 0, "agency": 2, "channel": 3, "dim": 4}


@dataclass
class Cell:
    count: int = 0
    total: int = 0
    hist: list[int] | None = None

    def add(self, count: int, total: int, hist: list[int] | str | None) -> None:
        self.count += count
        self.total += total
        if hist is not None:
            self.hist = add_hist(self.hist, json.loads(hist) if isinstance(hist, str) else hist)


@dataclass
class Figures:
    """Daily rows of some metrics for a period, summed on demand along any of their keys."""

    rows: list[tuple[date, str, int, str, str, int, int, str | None]] = field(default_factory=list)  # hist: JSON
    by_metric: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)

    decoded: set[str] = field(default_factory=set)  # metrics whose histograms are parsed

    def __post_init__(self) -> None:
        for row in self.rows:  # each `by` then walks one metric's rows, not all of them
            self.by_metric.setdefault(row[1], []).append(row)

    def _rows(self, metric: str, hist: bool) -> list[tuple[Any, ...]]:
        rows = self.by_metric.get(metric, [])
        if hist and metric not in self.decoded:  # parse each histogram once, however many `by` read it
            rows = [(*row[:7], json.loads(row[7]) if isinstance(row[7], str) else row[7]) for row in rows]
            self.by_metric[metric] = rows
            self.decoded.add(metric)
        return rows

    def by(self, metric: str, *keys: str, where: Mapping[str, Any] | None = None,
           hist: bool = False) -> dict[tuple[Any, ...], Cell]:
        """Sum `metric` grouped by any of day / agency / channel / dim (in that order of `keys`); histograms
        are merged only when asked for (`hist=True`): merging them is most of a dashboard's cost."""
        picks = [POSITIONS[name] for name in keys]
        conditions = [(POSITIONS[name], value) for name, value in where.items()] if where else []
        sums: dict[tuple[Any, ...], list[Any]] = {}
        for row in self._rows(metric, hist):
            if conditions and any(row[index] != value for index, value in conditions):
                continue
            key = tuple([row[index] for index in picks])
            entry = sums.get(key)
            if entry is None:
                entry = sums[key] = [0, 0, None]
            entry[0] += row[5]
            entry[1] += row[6]
            if hist and row[7] is not None:
                merged = entry[2]
                if merged is None:
                    merged = entry[2] = [0] * NBINS
                for index, count in enumerate(row[7]):
                    merged[index] += count
        return {key: Cell(count, total, merged) for key, (count, total, merged) in sums.items()}

    def total(self, metric: str, hist: bool = False, where: Mapping[str, Any] | None = None) -> Cell:
        return self.by(metric, where=where, hist=hist).get((), Cell())


def fetch(session: Session, metrics: Iterable[str], start: date, end: date, agency_id: int | None) -> Figures:
    """The daily rows of `metrics` over [start, end] in the scope. Plain SQL, and histograms left as their
    JSON text until a board merges them (`Figures.by(hist=True)`): most rows never need theirs."""
    names = sorted(set(metrics))
    platform = sorted(PLATFORM_TOTALS.intersection(names))
    sql = ("SELECT day, metric, agency_id, channel, dim, count, total, CAST(hist AS TEXT) FROM analytics_daily "
           "WHERE metric IN :names AND day >= :start AND day <= :end")
    params: dict[str, Any] = {"names": names, "start": start.isoformat(), "end": end.isoformat(),
                              "platform": platform or [""], "agency": agency_id}
    if agency_id is None:  # every agency; distinct counts from their platform-wide row
        sql += " AND (metric NOT IN :platform OR agency_id = 0)"
    else:  # this agency, plus what belongs to no agency (channel health), never another agency's rows
        sql += " AND (agency_id = :agency OR (agency_id = 0 AND metric NOT IN :platform))"
    query = text(sql).bindparams(bindparam("names", expanding=True), bindparam("platform", expanding=True))
    rows = session.connection().execute(query, params).all()
    return Figures([(_date(row[0]), *row[1:]) for row in rows])  # type: ignore[misc]


@lru_cache(maxsize=4096)
def _day_of(text_day: str) -> date:
    return date.fromisoformat(text_day[:10])


def _date(value: Any) -> date:
    """SQLite hands a DATE back as its text."""
    return value if isinstance(value, date) else _day_of(value)


def snapshot(session: Session, metric: str, agency_id: int | None) -> Figures:
    """A "now" figure kept on one fixed day (the applications backlog)."""
    from analytics.backlog import SNAPSHOT_DAY

    return fetch(session, [metric], SNAPSHOT_DAY, SNAPSHOT_DAY, agency_id)


def change(current: float | None, previous: float | None) -> float | None:
    """Relative change against the previous period, None when there is nothing to compare with."""
    if current is None or previous in (None, 0):
        return None
    return (current - previous) / previous  # type: ignore[operator]


def agencies(session: Session) -> list[Agency]:
    """The agencies an admin may pick (the catalogue: a handful of rows)."""
    return list(session.scalars(select(Agency).order_by(col(Agency.code))))


def service_names(session: Session) -> dict[str, str]:
    return {code: name for code, name in session.execute(select(col(Service.code), col(Service.name_en)))}
