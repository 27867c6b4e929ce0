"""The USSD sessions and hops of `rabta seed --volume`: most of its rows (about 20 hops per payment).

A hop costs next to nothing to describe but a lot to write one by one, so the seed draws a pool of session
*shapes* once (a journey walked with its detours, invalid inputs, time-outs and per-hop server times, all
relative to the session's start), then gives every session a start time and a shape. On PostgreSQL the
shapes go to temporary tables and each chunk's sessions are expanded into `ussd_session` and `ussd_hop` by
the server (INSERT ... SELECT): Python writes one short row per session, none per hop. On SQLite the same
expansion runs in Python. Either way the rows are the same.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from analytics.models import ARRIVAL, BACK, COMPLETION, END, INVALID

POOL = 4096  # shapes per run: enough that no pattern shows in the funnel or the histograms
# (offset from the session's start in microseconds, screen, events, left, left_events, ms)
Hop = tuple[int, str, int, str, int, int]


@dataclass(frozen=True)
class Shape:
    hops: tuple[Hop, ...]
    outcome: str
    duration_ms: int  # start to the end (1 s after the last hop)
    last_screen: str


def walk(rng: random.Random, journey: tuple[str, ...]) -> Shape:
    """One caller's way through `journey`: reading and typing between hops, 6% invalid inputs, 2% back,
    3% give up (mostly by timing out)."""
    at = 0.0
    hops: list[Hop] = []

    def hop(screen: str, events: int, left: str = "", left_events: int = 0) -> None:
        hops.append((int(at * 1_000_000), screen, events, left, left_events,
                     int(math.exp(3.4 + 0.7 * rng.gauss(0, 1))) + 1))

    hop("home", ARRIVAL)
    position, outcome = 0, "completed"
    while position < len(journey) - 1:
        at += rng.lognormvariate(2.0, 0.5)  # the caller reads and types
        roll = rng.random()
        if roll < 0.06:
            hop(journey[position], INVALID)
        elif roll < 0.08 and position > 0:
            hop(journey[position - 1], ARRIVAL, journey[position], BACK)
            position -= 1
        elif roll < 0.11:
            outcome = "timed_out" if rng.random() < 0.7 else "abandoned"
            break
        else:
            position += 1
            last = position == len(journey) - 1
            hop(journey[position], ARRIVAL | (END if last else 0), journey[position - 1], COMPLETION)
    return Shape(tuple(hops), outcome, int((at + 1) * 1000), journey[position])


def shapes(rng: random.Random, pick_journey: Callable[[], tuple[str, ...]], count: int = POOL) -> list[Shape]:
    return [walk(rng, pick_journey()) for _ in range(count)]


# A planned session: (session number, session id, start as text, shape index, first hop id)
Planned = tuple[int, str, str, int, int]

SESSION_COLUMNS = ("id", "session_id", "started_at", "ended_at", "outcome", "hops", "duration_ms", "last_screen")
HOP_COLUMNS = ("id", "session_id", "at", "screen", "events", "left", "left_events", "ms")


def expand(pool: list[Shape], planned: list[Planned], starts: list[float], ts: Callable[[float], str]
           ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The session and hop rows of `planned` sessions (the SQLite path; PostgreSQL expands on the server)."""
    sessions: list[tuple[Any, ...]] = []
    hops: list[tuple[Any, ...]] = []
    for (number, session_id, started, index, first_hop), start in zip(planned, starts, strict=True):
        shape = pool[index]
        for k, (offset, screen, events, left, left_events, ms) in enumerate(shape.hops):
            hops.append((first_hop + k, session_id, ts(start + offset / 1_000_000), screen, events, left,
                         left_events, ms))
        sessions.append((number, session_id, started, ts(start + shape.duration_ms / 1000), shape.outcome,
                         len(shape.hops), shape.duration_ms, shape.last_screen))
    return sessions, hops


# PostgreSQL: the shapes and each chunk's plan in temporary tables, expanded by the server.
PG_SETUP = (
    "CREATE TEMPORARY TABLE seed_shape (shape int PRIMARY KEY, outcome text, hops int, duration_ms int, "
    "last_screen text) ON COMMIT PRESERVE ROWS",
    "CREATE TEMPORARY TABLE seed_shape_hop (shape int, k int, offset_us bigint, screen text, events smallint, "
    "\"left\" text, left_events smallint, ms int) ON COMMIT PRESERVE ROWS",
    "CREATE TEMPORARY TABLE seed_session (id bigint, session_id text, started_at timestamptz, shape int, "
    "first_hop bigint) ON COMMIT PRESERVE ROWS",
)
PG_EXPAND = (
    "INSERT INTO ussd_session (id, session_id, started_at, ended_at, outcome, hops, duration_ms, last_screen) "
    "SELECT s.id, s.session_id, s.started_at, s.started_at + p.duration_ms * interval '1 millisecond', "
    "p.outcome, p.hops, p.duration_ms, p.last_screen FROM seed_session s JOIN seed_shape p ON p.shape = s.shape",
    "INSERT INTO ussd_hop (id, session_id, at, screen, events, \"left\", left_events, ms) "
    "SELECT s.first_hop + h.k, s.session_id, s.started_at + h.offset_us * interval '1 microsecond', h.screen, "
    "h.events, h.\"left\", h.left_events, h.ms FROM seed_session s JOIN seed_shape_hop h ON h.shape = s.shape",
    "TRUNCATE seed_session",
)


def pg_shapes(pool: list[Shape]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Rows of `seed_shape` and `seed_shape_hop`."""
    heads = [(index, shape.outcome, len(shape.hops), shape.duration_ms, shape.last_screen)
             for index, shape in enumerate(pool)]
    hops = [(index, k, *hop) for index, shape in enumerate(pool) for k, hop in enumerate(shape.hops)]
    return heads, hops
