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
from collections.abc import Sequence
from dataclasses import dataclass

from redis import Redis, RedisError

from app import metrics
from app.errors import RateLimited, ServiceUnavailable

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
    now = time.time()
    pipe = redis.pipeline(transaction=False)
    for limit in limits:
        key = _window_key(limit, now)
        pipe.incr(key)
        pipe.expire(key, limit.window_seconds + 5)
    return [int(value) for value in pipe.execute()[::2]]


def peek(redis: Redis, limit: Limit) -> int:
    """The current count without adding a hit (e.g. failed logins before checking a password)."""
    value = redis.get(_window_key(limit, time.time()))
    return int(value) if value else 0


def retry_after(limit: Limit) -> int:
    return max(1, limit.window_seconds - int(time.time() % limit.window_seconds))


def enforce(redis: Redis, limits: Sequence[Limit], message: str = "Too many requests; slow down.") -> None:
    """Count a hit against each limit; raise RateLimited (with Retry-After) for the first one exceeded."""
    for limit, total in zip(limits, count(redis, limits), strict=True):
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


def enforce_or_fail_open(redis: Redis, limits: Sequence[Limit], *, fail_open_seconds: int) -> None:
    """`enforce`, but a Redis outage lets requests through for `fail_open_seconds`, then answers 503."""
    try:
        enforce(redis, limits)
    except RedisError as exc:
        down_for = OUTAGE.failed()
        if down_for > fail_open_seconds:
            raise ServiceUnavailable("A service we depend on is unavailable; try again shortly.",
                                     retry_after=30) from exc
        return
    OUTAGE.recovered()
