"""Analytics at volume: dashboard pages and JSON endpoints under wrk (8 connections, p95), the refresh over
one new day of traffic, and the roll-ups' size against the raw tables.

Against the database in DATABASE_URL (seed it first, or pass --seed N):

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python -m bench.bench_analytics --seed 1000000
    .venv/bin/python -m bench.bench_analytics --seed 100000      # SQLite in ./instance

The machine's load matters (other processes share the cores): the figures print the load average.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import text

from analytics.cache import warm
from analytics.refresh import refresh
from analytics.volume import TABLES, seed_volume
from app import create_app
from app.db import Database
from bench.harness import gunicorn

LUA = Path(__file__).with_name("p95.lua")
ROLLUPS = ("analytics_rollup", "analytics_daily", "analytics_watermark")
PATHS = [f"/console/dashboards/{board}?range={r}" for board in ("collections", "applications", "channels",
                                                                 "citizens") for r in ("30d", "90d")] + [
    "/console/dashboards/collections/amount-by-channel.json?range=90d",
    "/console/dashboards/applications/backlog.json?range=30d",
    "/console/dashboards/channels/ussd-funnel.json?range=90d",
    "/console/dashboards/citizens/active-by-channel.json?range=90d",
    "/performance", "/performance.json",
]


def wrk(url: str, seconds: int) -> dict[str, float]:
    out = subprocess.run(["wrk", "-t", "2", "-c", "8", "-d", f"{seconds}s", "-s", str(LUA), url],
                         capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH"))
    return {key: float(value) for key, value in re.findall(r"(\w+)=([\d.]+)", line)}


def sizes(db: Database) -> dict[str, int]:
    with db.engine.connect() as connection:
        if db.is_sqlite:  # the table and every index on it (named, unique and primary-key ones alike)
            query = ("SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN "
                     "(SELECT name FROM sqlite_master WHERE tbl_name = :t)")
            return {t: int(connection.execute(text(query), {"t": t}).scalar() or 0) for t in (*TABLES, *ROLLUPS)}
        return {t: int(connection.execute(text(f"SELECT pg_total_relation_size('{t}')")).scalar() or 0)
                for t in (*TABLES, *ROLLUPS)}


def one_more_day(db: Database, zone: str, payments: int) -> float:
    """Write a day of new traffic, rewind the watermarks a day, time the refresh that picks it up."""
    seed_volume(db, payments, days=1, reset_watermarks=False, progress=lambda _line: None)
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE analytics_watermark SET changed_until = :t"),
                           {"t": datetime.now(UTC) - timedelta(days=1)})
    began = time.perf_counter()
    refresh(db, zone)
    return time.perf_counter() - began


def timed_warm(app: Flask) -> float:
    began = time.perf_counter()
    with app.app_context():
        warm(app.extensions["rabta"])
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=0, help="seed N payments first (and refresh)")
    parser.add_argument("--day", type=int, default=15_000, help="payments in the 'one new day' refresh test")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--cache", choices=("hit", "miss", "both"), default="both",
                        help="dashboards read from the warmed cache (hit), compute every time (miss), or both")
    args = parser.parse_args()
    app = create_app()
    runtime = app.extensions["rabta"]
    db, zone = runtime.db, runtime.settings.TIMEZONE
    print(f"database: {db.engine.url.get_backend_name()}; load average {os.getloadavg()}")
    if args.seed:
        began = time.perf_counter()
        seed_volume(db, args.seed)
        print(f"seed --volume {args.seed}: {time.perf_counter() - began:.1f}s")
        began = time.perf_counter()
        refresh(db, zone)
        print(f"first full refresh: {time.perf_counter() - began:.1f}s")
    if args.day:
        print(f"refresh over one new day ({args.day} payments, ~{args.day * 20} USSD hops): "
              f"{one_more_day(db, zone, args.day):.1f}s; load average {os.getloadavg()}")
    print(f"dashboards warmed in {timed_warm(app):.1f}s")
    measured = sizes(db)
    raw, rolled = sum(measured[t] for t in TABLES), sum(measured[t] for t in ROLLUPS)
    print(f"raw tables {raw / 1e6:.1f} MB, roll-ups {rolled / 1e6:.2f} MB ({100 * rolled / max(raw, 1):.2f}%)")
    for mode in ("hit", "miss") if args.cache == "both" else (args.cache,):
        env = {"RABTA_ENV": "development", "LOG_LEVEL": "WARNING",
               "BENCH_DASHBOARD_CACHE": "on" if mode == "hit" else "off"}
        print(f"cache {mode}: load average {os.getloadavg()}")
        with gunicorn("bench.analytics_app:app", env, workers=2, threads=4, worker_class="gthread") as base:
            for path in PATHS:
                wrk(base + path, 1)  # a second of warm-up per path (templates compiled in every worker), not counted
                figures = wrk(base + path, args.seconds)
                print(f"{mode:<4} {path:<70} p50 {figures['p50_ms']:7.1f} ms  p95 {figures['p95_ms']:7.1f} ms  "
                      f"requests {int(figures['requests'])}  errors {int(figures['errors'])}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
