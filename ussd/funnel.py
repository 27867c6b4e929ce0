"""Funnel figures per screen: arrivals, completions, back-outs, invalid inputs, timeouts, ends.

Cheap to record: one Redis hash per UTC day, `HINCRBY screen|metric`, written in the
same round trip as the session itself. Kept for `RETENTION_DAYS`.

The durable log: every hop (its screens, events and the server's time for it) and every session end is
also pushed, in the same round trip, onto one Redis list (`LOG_KEY`); the analytics refresh job moves it in
batches into the `ussd_hop` / `ussd_session` tables, so the hop itself never waits on the database.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from redis import Redis

from app.redis_batch import Batch
from app.timeutil import today
from ussd.store import PREFIX

METRICS = ("arrival", "completion", "back", "invalid", "timeout", "end")
RETENTION_DAYS = 40
SESSIONS = "_sessions"  # pseudo-screen holding the count of ended sessions by AT status


LOG_KEY = f"{PREFIX}:log"
LOG_MAX = 5_000_000  # a bound so a stopped refresh job cannot exhaust Redis (oldest entries dropped)


def log_hop(pipe: Batch, session_id: str, screen: str, events: Iterable[tuple[str, str]], ms: int) -> None:
    """One hop for the durable funnel: the screen shown at its end, its events, the server's time."""
    entry = {"s": session_id, "t": int(time.time() * 1000), "sc": screen, "e": [list(e) for e in events], "ms": ms}
    pipe.lpush(LOG_KEY, json.dumps(entry, separators=(",", ":")))
    pipe.ltrim(LOG_KEY, 0, LOG_MAX - 1)


def log_session_end(pipe: Batch, session_id: str, status: str, completed: bool, screen: str) -> None:
    entry = {"end": session_id, "t": int(time.time() * 1000), "st": status, "c": completed, "sc": screen}
    pipe.lpush(LOG_KEY, json.dumps(entry, separators=(",", ":")))


def day_key(day: date) -> str:
    return f"{PREFIX}:funnel:{day:%Y%m%d}"


def record(pipe: Batch, events: Iterable[tuple[str, str]], day: date | None = None) -> None:
    key = day_key(day or today())
    counted = False
    for screen, metric in events:
        pipe.hincrby(key, f"{screen}|{metric}", 1)
        counted = True
    if counted:
        pipe.expire(key, RETENTION_DAYS * 86400)


def read(redis: Redis, days: int = 1, until: date | None = None) -> dict[str, dict[str, int]]:
    """screen -> metric -> count, summed over the last `days` days."""
    last = until or today()
    keys = [day_key(last - timedelta(days=offset)) for offset in range(max(days, 1))]
    pipe = redis.pipeline(transaction=False)
    for key in keys:
        pipe.hgetall(key)
    totals: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(METRICS, 0))
    for counters in pipe.execute():
        for field, count in counters.items():
            screen, _, metric = field.decode().partition("|")
            totals[screen][metric] = totals[screen].get(metric, 0) + int(count)
    return dict(totals)


def table(figures: dict[str, dict[str, int]]) -> str:
    """A plain-text table for `rabta ussd funnel`."""
    screens = sorted(name for name in figures if name != SESSIONS)
    width = max([len(name) for name in screens] + [12])
    lines = [f"{'screen':<{width}} " + " ".join(f"{m:>10}" for m in METRICS)]
    for name in screens:
        lines.append(f"{name:<{width}} " + " ".join(f"{figures[name].get(m, 0):>10}" for m in METRICS))
    ended = figures.get(SESSIONS, {})
    if ended:
        lines.append("sessions ended: " + ", ".join(f"{status} {count}" for status, count in sorted(ended.items())
                                                   if count))
    return "\n".join(lines)
