"""The one rate limiter: fixed windows in Redis, several limits checked in one round trip.

Used by the API (per client IP and per credential), USSD (per number and per session), 1Bill (per bank
credential, failed Basic auth per client) and wallet callbacks (per source address). Every web process
shares the counters through Redis.

When Redis does not answer, a caller may `fail_open`: requests go through unlimited for at most
`RATE_LIMIT_FAIL_OPEN_SECONDS` of one outage (logged once per outage), then are refused with
`ServiceUnavailable` (503 + Retry-After) until Redis is back. Limiting is a defence, not a reason to take
down read-only endpoints for a blip; an outage that lasts is an outage.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from redis import Redis, RedisError

from app import metrics
from app.errors import RateLimited, ServiceUnavailable
from app.redis_batch import Batch

log = logging.getLogger("rabta.ratelimit")


@dataclass(frozen=True)
class Limit:
    scope: str  # bounded label for metrics: "api_ip", "ussd_number", "onebill_failed_auth", ...
    key: str  # what is counted (an address, a hashed credential, a session id)
    per_window: int
    window_seconds: int = 60


def _window_key(limit: Limit, now: float) -> str:
    return f"rabta:rl:{limit.scope}:{limit.key}:{int(now // limit.window_seconds)}"


def count(redis: Redis, limits: Sequence[Limit]) -> list[int]:
    """Count one hit against every limit (one round trip) and return the running totals."""
    batch = Batch(redis)
    queue_hits(batch, limits)
    return totals(limits, batch.execute())


def queue_hits(batch: Batch, limits: Sequence[Limit]) -> None:
    """Queue one hit against every limit on the caller's batch (to share its round trip); the
    first `2 * len(limits)` replies are the limits' (see `totals`)."""
    now = time.time()
    for limit in limits:
        key = _window_key(limit, now)
        batch.incr(key).expire(key, limit.window_seconds + 5)


def totals(limits: Sequence[Limit], replies: Sequence[object]) -> list[int]:
    return [int(value) for value in replies[:2 * len(limits):2]]  # type: ignore[call-overload]


def peek(redis: Redis, limit: Limit) -> int:
    """The current count without adding a hit (e.g. failed logins before checking a password)."""
    value = redis.get(_window_key(limit, time.time()))
    return int(value) if value else 0


def queue_peek(batch: Batch, limit: Limit) -> None:
    """`peek` as one command on the caller's batch; its reply is the count (None: no hit yet)."""
    batch.get(_window_key(limit, time.time()))


def retry_after(limit: Limit) -> int:
    return max(1, limit.window_seconds - int(time.time() % limit.window_seconds))


def enforce(redis: Redis, limits: Sequence[Limit], message: str = "Too many requests; slow down.") -> None:
    """Count a hit against each limit; raise RateLimited (with Retry-After) for the first one exceeded."""
    raise_if_over(limits, count(redis, limits), message)


def raise_if_over(limits: Sequence[Limit], counted: Sequence[int],
                  message: str = "Too many requests; slow down.") -> None:
    """RateLimited (with Retry-After) for the first limit whose running total is over it."""
    for limit, total in zip(limits, counted, strict=True):
        if total > limit.per_window:
            metrics.count_rate_limited(limit.scope)
            raise RateLimited(message, retry_after=retry_after(limit))


class _Outage:
    """When this process first saw Redis fail during the current outage (monotonic), or None."""

    def __init__(self) -> None:
        self._since: float | None = None
        self._lock = threading.Lock()

    def failed(self) -> float:
        with self._lock:
            if self._since is None:
                self._since = time.monotonic()
                log.warning("Redis unavailable: rate limits fail open for a bounded window")
            return time.monotonic() - self._since

    def recovered(self) -> None:
        if self._since is not None:
            with self._lock:
                self._since = None
            log.warning("Redis is back: rate limits enforced again")


OUTAGE = _Outage()


def enforce_or_fail_open(redis: Redis, limits: Sequence[Limit], *, fail_open_seconds: int,
                         along: Callable[[Batch], None] | None = None) -> list[Any] | None:
    """`enforce`, but a Redis outage lets requests through for `fail_open_seconds`, then answers 503.

    `along` queues the caller's own commands on the same batch (one round trip for both); their
    replies are returned, or None when Redis did not answer."""
    try:
        batch = Batch(redis)
        queue_hits(batch, limits)
        if along is not None:
            along(batch)
        replies = batch.execute()
    except RedisError as exc:
        down_for = OUTAGE.failed()
        if down_for > fail_open_seconds:
            raise ServiceUnavailable("A service we depend on is unavailable; try again shortly.",
                                     retry_after=30) from exc
        return None
    OUTAGE.recovered()
    raise_if_over(limits, totals(limits, replies))
    return replies[2 * len(limits):]
