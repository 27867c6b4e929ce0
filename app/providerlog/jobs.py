"""Periodic provider log jobs: move buffered entries into the table, purge old ones."""

from __future__ import annotations

from app.providerlog import capture, service
from app.runtime import current


def flush_buffer() -> int:
    runtime = current()
    capture.flush()  # this process's own entries first
    total = 0
    while True:
        with runtime.db.transaction() as session:
            moved = service.flush(session=session, redis=runtime.redis)
        total += moved
        if moved < service.FLUSH_BATCH:
            return total


def purge_old_entries() -> int:
    runtime = current()
    with runtime.db.transaction() as session:
        return service.purge(session=session, retention_days=runtime.settings.PROVIDER_LOG_RETENTION_DAYS)
