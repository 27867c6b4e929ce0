"""Computed dashboards in Redis: read by the routes, written on demand and warmed after every refresh.

A board is a pure function of the daily roll-ups, its scope and its period, so it changes only when a
refresh changes the roll-ups. The refresh job therefore recomputes the boards officers open most (every
board, for the standard ranges, platform-wide and per agency) and the public page, right after it writes
the roll-ups: a page view then reads one key. A board asked for outside that set (a custom range) is
computed on demand and kept for `ON_DEMAND_SECONDS`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from typing import Any

from analytics.boards import BOARDS, Board, board_from_json, board_to_json
from analytics.queries import RANGES, Period, parse_period
from app.runtime import Runtime

log = logging.getLogger("rabta.analytics")

PREFIX = "rabta:analytics:board"
ON_DEMAND_SECONDS = 60  # a board computed for a request (eight officers opening it cost one computation)
# Warmed boards outlive the refresh interval (app.scheduler: every 300 s) so a page never waits for one,
# and each refresh overwrites them: they are never older than the roll-ups they were computed from.
WARM_SECONDS = 900


def key(slug: str, agency_id: int | None, period: Period) -> str:
    return f"{PREFIX}:{slug}:{agency_id}:{period.key}:{period.start}:{period.end}"


def digest(text: str | bytes) -> str:
    return hashlib.blake2b(text.encode() if isinstance(text, str) else text, digest_size=10).hexdigest()


def read(redis: Any, name: str) -> tuple[Board, str] | None:
    """The board kept under `name` and a digest of it (what its rendered HTML is kept under)."""
    cached = redis.get(name)
    return (board_from_json(cached), digest(cached)) if cached else None


def store(redis: Any, name: str, board: Board, seconds: int = ON_DEMAND_SECONDS) -> str:
    text = board_to_json(board)
    redis.set(name, text, ex=seconds)
    return digest(text)


# The rendered figures of a board (its KPIs, charts and tables: most of a page's cost) are kept under the
# digest of the board they show, so they can never be older than it.
def read_html(redis: Any, name: str) -> str | None:
    cached = redis.get(name)
    return cached.decode() if isinstance(cached, bytes) else cached


def store_html(redis: Any, name: str, html: str) -> None:
    redis.set(name, html, ex=WARM_SECONDS)


def html_key(board_digest: str, admin: bool) -> str:
    return f"{PREFIX}:html:{board_digest}:{int(admin)}"


def warm(runtime: Runtime, *, quiet: bool = False) -> int:
    """Compute and store every board for the standard ranges, for admins (every agency) and for each
    agency, then the public page's figures; returns how many were stored. `quiet`: log it at DEBUG."""
    from analytics import public
    from analytics.queries import agencies

    began = time.perf_counter()
    today = runtime.today()
    periods = [parse_period({"range": name}, today)[0] for name in RANGES]
    session = runtime.read_db.session()
    stored = 0
    try:
        scopes: list[int | None] = [None, *(agency.id for agency in agencies(session) if agency.id is not None)]
        pipe = runtime.redis.pipeline(transaction=False)
        for slug, (_title, build) in BOARDS.items():
            for agency_id in scopes:
                for period in periods:
                    pipe.set(key(slug, agency_id, period), board_to_json(build(session, period, agency_id)),
                             ex=WARM_SECONDS)
                    stored += 1
        pipe.execute()
    finally:
        session.close()
    runtime.redis.set(public.CACHE_KEY, json.dumps(public.compute_for(runtime), separators=(",", ":")),
                      ex=WARM_SECONDS)
    log.log(logging.DEBUG if quiet else logging.INFO, "analytics: %d dashboards warmed in %.2fs", stored + 1,
            time.perf_counter() - began)
    return stored + 1
