"""Local hours and fixed histogram bins: the two things that make roll-ups add up across any date range.

An hour bucket is the start of a wall-clock hour in the deployment zone (`TIMEZONE`), naive. Durations go
into fixed bins (`BOUNDS_MS`) so p50/p95 over a week are computed from the summed bins of its hours; a
percentile is reported as the upper bound of the bin it falls in (bounds include 10 s and 60 s, so
"within 10 s / 60 s" shares are exact).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta

from app.timeutil import zone

BOUNDS_MS: tuple[int, ...] = (
    10, 25, 50, 100, 200, 300, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 30_000, 60_000, 120_000, 300_000,
    900_000, 3_600_000, 4 * 3_600_000, 86_400_000, 3 * 86_400_000, 7 * 86_400_000, 14 * 86_400_000,
    30 * 86_400_000,
)
NBINS = len(BOUNDS_MS) + 1  # the last bin is "more than the last bound"
HOUR = timedelta(hours=1)


def bin_of(ms: float) -> int:
    for index, bound in enumerate(BOUNDS_MS):
        if ms < bound:
            return index
    return len(BOUNDS_MS)


def bin_sql(expr: str) -> str:
    """The same bin as `bin_of`, in SQL both engines understand."""
    cases = " ".join(f"WHEN ({expr}) < {bound} THEN {index}" for index, bound in enumerate(BOUNDS_MS))
    return f"(CASE WHEN ({expr}) IS NULL THEN NULL {cases} ELSE {len(BOUNDS_MS)} END)"


def add_hist(into: list[int] | None, other: Sequence[int] | None) -> list[int] | None:
    if other is None:
        return into
    merged = list(into) if into is not None else [0] * NBINS
    for index, count in enumerate(other):
        merged[index] += count
    return merged


def percentile_ms(hist: Sequence[int] | None, fraction: float) -> int | None:
    """The upper bound of the bin holding the `fraction` quantile (None without data)."""
    if not hist or not sum(hist):
        return None
    target = fraction * sum(hist)
    seen = 0
    for index, count in enumerate(hist):
        seen += count
        if count and seen >= target:
            return BOUNDS_MS[index] if index < len(BOUNDS_MS) else BOUNDS_MS[-1]
    return BOUNDS_MS[-1]


def share_within(hist: Sequence[int] | None, bound_ms: int) -> float | None:
    """The share of values strictly under `bound_ms` (a value of BOUNDS_MS), None without data."""
    if not hist or not sum(hist):
        return None
    return sum(hist[: BOUNDS_MS.index(bound_ms) + 1]) / sum(hist)


def local_hour(moment: datetime, zone_name: str) -> datetime:
    """The naive start of the local hour `moment` (aware) falls in."""
    local = moment.astimezone(zone(zone_name))
    return local.replace(minute=0, second=0, microsecond=0, tzinfo=None)


def utc_of_local(local: datetime, zone_name: str) -> datetime:
    return local.replace(tzinfo=zone(zone_name)).astimezone(UTC)


def local_day_start(day: date) -> datetime:
    return datetime.combine(day, time())


MERGE_GAP = timedelta(hours=24)


def hour_ranges(hours: Iterable[datetime], zone_name: str, *, whole_days: bool = False
                ) -> list[tuple[datetime, datetime, datetime, datetime]]:
    """Touched local hours merged into runs: (local_lo, local_hi, utc_lo, utc_hi), hi exclusive. Runs less
    than a day apart are merged: recomputing a quiet hour costs less than another round of queries."""
    starts = sorted({local_day_start(h.date()) if whole_days else h for h in hours})
    step = timedelta(days=1) if whole_days else HOUR
    runs: list[list[datetime]] = []
    for start in starts:
        if runs and start - runs[-1][1] <= MERGE_GAP:
            runs[-1][1] = start + step
        else:
            runs.append([start, start + step])
    return [(lo, hi, utc_of_local(lo, zone_name), utc_of_local(hi, zone_name)) for lo, hi in runs]
