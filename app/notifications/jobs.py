"""Draining the outbox."""

from __future__ import annotations

import logging

from sqlmodel import Session

from app.bus import drop_events_since, pending_events
from app.notifications.models import Notification
from app.notifications.service import Dispatchers, claim_pending, dispatch, dispatch_many, mark_failed
from app.queue import NOTIFICATIONS
from app.runtime import Runtime, current

log = logging.getLogger("rabta.notifications")

KICK_KEY = "rabta:outbox:kick"
BATCH_SIZE = 200


def kick_outbox(runtime: Runtime) -> None:
    """Enqueue one drain unless one is already queued (the drain clears the flag first)."""
    if runtime.redis.set(KICK_KEY, "1", nx=True, ex=60):
        runtime.enqueue(NOTIFICATIONS, drain_outbox)


def drain_outbox() -> int:
    """Dispatch every pending outbox row; safe to run twice or concurrently."""
    runtime = current()
    runtime.redis.delete(KICK_KEY)
    total = 0
    while True:
        with runtime.db.transaction() as session:
            batch = claim_pending(session=session, limit=BATCH_SIZE)
            failed = _dispatch_batch(session, batch, runtime.dispatchers)
            for notification_id, error in failed:
                mark_failed(session=session, notification_id=notification_id, error=error)
        total += len(batch) - len(failed)
        if len(batch) < BATCH_SIZE or len(failed) == len(batch):
            return total


def _dispatch_batch(session: Session, batch: list[Notification], dispatchers: Dispatchers) -> list[tuple[int, str]]:
    """Dispatch a claimed batch; return (id, error) for each row that failed.

    The whole batch goes in one SAVEPOINT, each channel's rows to its dispatcher at once, with the
    row updates flushed together at its end (one executemany instead of one UPDATE and two SAVEPOINT
    statements per row). Should any row fail, that savepoint (and the events it recorded) is rolled
    back and the batch is dispatched again one SAVEPOINT per row, so one bad row never blocks the others."""
    events = pending_events(session)
    try:
        with session.begin_nested(), session.no_autoflush:
            dispatch_many(session=session, notifications=batch, dispatchers=dispatchers)
        return []
    except Exception:  # retried row by row below, where each failure is logged and kept
        drop_events_since(session, events)
    failed: list[tuple[int, str]] = []
    for notification in batch:
        mark = pending_events(session)
        try:
            with session.begin_nested():
                dispatch(session=session, notification=notification, dispatchers=dispatchers)
        except Exception as exc:  # one bad row must not block the others
            drop_events_since(session, mark)
            log.exception("dispatching notification %s failed", notification.id)
            failed.append((notification.id or 0, f"{type(exc).__name__}: {exc}"))
    return failed
