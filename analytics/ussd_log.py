"""Moves the USSD gateway's log (a Redis list, `ussd.funnel.LOG_KEY`) into `ussd_hop` and `ussd_session`
in batches: the hop stays one pipelined Redis write, the database gets bulk inserts.

Entries are taken oldest first in a MULTI (LRANGE + LTRIM), so two drains never take the same entry; if
the insert fails they are pushed back for the next run.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from redis import Redis
from sqlalchemy import func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from analytics.models import COMPLETION, EVENT_BITS, UssdHop, UssdSession
from app.db import Database
from ussd.funnel import LOG_KEY

log = logging.getLogger("rabta.analytics")

BATCH = 20_000
COMPLETED, ABANDONED, TIMED_OUT = "completed", "abandoned", "timed_out"


def outcome(status: str, completed: bool) -> str:
    """Africa's Talking ends a session `Success`, `Incomplete` (the network gave up waiting for the caller)
    or `Failed`; a journey that reached its end screen counts as completed whatever the status."""
    if completed or status == "Success":
        return COMPLETED
    return TIMED_OUT if status == "Incomplete" else ABANDONED


def hop_row(entry: dict[str, Any]) -> dict[str, Any]:
    shown = str(entry["sc"])[:40]
    bits: dict[str, int] = {}
    for screen, metric in entry.get("e") or ():
        bits[screen] = bits.get(screen, 0) | EVENT_BITS.get(metric, 0)
    # The screen the caller left: the other screen that saw a completion (else any other event).
    others = [screen for screen in bits if screen != shown]
    left = next((s for s in others if bits[s] & COMPLETION), others[0] if others else "")
    return {"session_id": str(entry["s"])[:128], "at": _at(entry), "screen": shown, "events": bits.get(shown, 0),
            "left": left[:40], "left_events": bits.get(left, 0) if left else 0, "ms": max(int(entry.get("ms", 0)), 0)}


def _at(entry: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(int(entry["t"]) / 1000, UTC)


def take(redis: Redis, limit: int = BATCH) -> list[bytes]:
    pipe = redis.pipeline(transaction=True)
    pipe.lrange(LOG_KEY, -limit, -1)
    pipe.ltrim(LOG_KEY, 0, -limit - 1)
    entries, _ = pipe.execute()
    entries.reverse()  # oldest first
    return list(entries)


def store(session: Session, raw_entries: list[bytes], postgres: bool) -> tuple[int, int]:
    hops: list[dict[str, Any]] = []
    ends: list[dict[str, Any]] = []
    for raw in raw_entries:
        try:
            entry = json.loads(raw)
            (ends if "end" in entry else hops).append(entry if "end" in entry else hop_row(entry))
        except (ValueError, KeyError, TypeError):
            log.warning("unreadable USSD log entry dropped")
    if hops:
        session.execute(insert(UssdHop), hops)
    if ends:
        session.flush()
        _store_sessions(session, ends, postgres)
    return len(hops), len(ends)


def _store_sessions(session: Session, ends: list[dict[str, Any]], postgres: bool) -> None:
    ids = sorted({str(entry["end"])[:128] for entry in ends})
    seen = {sid: (first, count) for sid, first, count in session.execute(
        select(col(UssdHop.session_id), func.min(col(UssdHop.at)), func.count())
        .where(col(UssdHop.session_id).in_(ids)).group_by(col(UssdHop.session_id)))}
    rows = []
    for entry in ends:
        sid, ended = str(entry["end"])[:128], _at(entry)
        first, count = seen.get(sid, (ended, 0))
        first = first if first.tzinfo else first.replace(tzinfo=UTC)
        rows.append({"session_id": sid, "started_at": first, "ended_at": ended, "hops": int(count),
                     "outcome": outcome(str(entry.get("st", "")), bool(entry.get("c"))),
                     "duration_ms": max(int((ended - first).total_seconds() * 1000), 0),
                     "last_screen": str(entry.get("sc") or "")[:40]})
    statement = (postgresql.insert(UssdSession) if postgres else sqlite.insert(UssdSession))
    session.execute(statement.on_conflict_do_nothing(index_elements=["session_id"]), rows)


def drain(db: Database, redis: Redis, max_batches: int = 100) -> int:
    """Move what the gateway logged into the tables; returns the number of entries moved."""
    moved = 0
    for _ in range(max_batches):
        entries = take(redis)
        if not entries:
            break
        try:
            with db.transaction() as session:
                store(session, entries, postgres=not db.is_sqlite)
        except Exception:
            redis.rpush(LOG_KEY, *reversed(entries))  # back at the oldest end, for the next run
            raise
        moved += len(entries)
    return moved
