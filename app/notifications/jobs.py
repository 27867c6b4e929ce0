"""Draining the outbox."""

from __future__ import annotations

import logging

from app.notifications.service import claim_pending, dispatch, mark_failed
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
            failed: list[tuple[int, str]] = []
            for notification in batch:
                try:
                    with session.begin_nested():
                        dispatch(session=session, notification=notification, dispatchers=runtime.dispatchers)
                except Exception as exc:  # one bad row must not block the others
                    log.exception("dispatching notification %s failed", notification.id)
                    failed.append((notification.id or 0, f"{type(exc).__name__}: {exc}"))
            for notification_id, error in failed:
                mark_failed(session=session, notification_id=notification_id, error=error)
        total += len(batch) - len(failed)
        if len(batch) < BATCH_SIZE or len(failed) == len(batch):
            return total
