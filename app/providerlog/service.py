"""Recording, storing, querying and purging provider log entries (no flask here).

`record_many` pushes entries onto a capped Redis list; `flush` moves a batch into the
table; `entries` is the query behind `rabta providers log` and the console view.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from redis import Redis
from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from app.providerlog.models import ProviderLogEntry
from app.timeutil import utcnow

log = logging.getLogger("rabta.providerlog")

BUFFER_KEY = "rabta:providerlog:buffer"
# Without a worker to flush it the buffer keeps only the newest entries.
MAX_BUFFERED = 50_000
FLUSH_BATCH = 1000


@dataclass(frozen=True)
class Exchange:
    """One exchange as captured (already redacted)."""

    direction: str
    provider: str
    method: str
    path: str
    status: int | None
    elapsed_ms: int
    request_body: str = ""
    response_body: str = ""
    error: str | None = None
    request_id: str | None = None
    at: str = field(default_factory=lambda: utcnow().isoformat())

    @property
    def is_error(self) -> bool:
        return self.error is not None or self.status is None or self.status >= 400


def record_many(redis: Redis, exchanges: list[Exchange]) -> None:
    pipe = redis.pipeline(transaction=False)
    pipe.rpush(BUFFER_KEY, *[json.dumps(asdict(exchange), separators=(",", ":")) for exchange in exchanges])
    pipe.ltrim(BUFFER_KEY, -MAX_BUFFERED, -1)
    pipe.execute()


_INSERT = insert(ProviderLogEntry.__table__)  # type: ignore[attr-defined]


def flush(*, session: Session, redis: Redis, limit: int = FLUSH_BATCH) -> int:
    """Move up to `limit` buffered entries into the table (in the caller's transaction), as one Core
    executemany: an ORM object per entry cost more than the insert itself (issue 15)."""
    raw: list[bytes] = redis.lpop(BUFFER_KEY, limit) or []  # type: ignore[assignment]
    rows = [row for row in map(_row, raw) if row is not None]
    if rows:
        session.connection().execute(_INSERT, rows)
    return len(raw)


def _row(raw: bytes | str) -> dict[str, object] | None:
    try:
        data = json.loads(raw)
        exchange = Exchange(**data)
    except (ValueError, TypeError):
        log.warning("unreadable provider log entry dropped")
        return None
    return {
        "created_at": datetime.fromisoformat(exchange.at), "direction": exchange.direction,
        "provider": exchange.provider[:32], "method": exchange.method[:8], "path": exchange.path[:500],
        "status": exchange.status, "elapsed_ms": exchange.elapsed_ms, "is_error": exchange.is_error,
        "error": (exchange.error or None) and exchange.error[:200], "request_body": exchange.request_body,
        "response_body": exchange.response_body,
        "request_id": (exchange.request_id or None) and exchange.request_id[:64]}


def purge(*, session: Session, retention_days: int, now: datetime | None = None) -> int:
    """Delete entries older than the retention period; return how many."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    result = session.execute(delete(ProviderLogEntry).where(col(ProviderLogEntry.created_at) < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def entries(*, session: Session, errors_only: bool = False, provider: str | None = None,
            direction: str | None = None, since: datetime | None = None, request_id: str | None = None,
            limit: int = 50) -> list[ProviderLogEntry]:
    """Newest first, filtered."""
    query = select(ProviderLogEntry)
    if errors_only:
        query = query.where(col(ProviderLogEntry.is_error).is_(True))
    if provider:
        query = query.where(ProviderLogEntry.provider == provider)
    if direction:
        query = query.where(ProviderLogEntry.direction == direction)
    if since is not None:
        query = query.where(col(ProviderLogEntry.created_at) >= since)
    if request_id:
        query = query.where(ProviderLogEntry.request_id == request_id)
    query = query.order_by(col(ProviderLogEntry.id).desc()).limit(max(1, min(limit, 1000)))
    return list(session.exec(query))
