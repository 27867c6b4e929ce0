"""Rate limits kept in Redis so every worker and web process honours them together.

Outbound: a token bucket per provider refilled at `SMS_RATE_PER_SECOND`, holding at
most one second's worth, taken a batch at a time (one round trip per batch).
Inbound: a per-number counter per clock hour.
"""

from __future__ import annotations

import time

from redis import Redis

from app.redis_batch import Batch

# KEYS[1] bucket; ARGV rate/s, capacity, wanted, now (s). Returns tokens granted (0..wanted).
_TAKE_TOKENS = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or capacity
local ts = tonumber(state[2]) or now
if now > ts then tokens = math.min(capacity, tokens + (now - ts) * rate) end
local granted = math.min(wanted, math.floor(tokens))
tokens = tokens - granted
redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', math.max(now, ts))
redis.call('EXPIRE', KEYS[1], 60)
return granted
"""


class TokenBucket:
    def __init__(self, redis: Redis, provider: str, rate_per_second: float) -> None:
        self.redis = redis
        self.key = f"rabta:sms:bucket:{provider}"
        self.rate = max(rate_per_second, 0.1)
        self.capacity = max(self.rate, 1.0)
        self._script = redis.register_script(_TAKE_TOKENS)

    def take(self, wanted: int) -> int:
        """Take up to `wanted` tokens now; return how many were granted."""
        return int(self._script(keys=[self.key], args=[self.rate, self.capacity, wanted, time.time()]))

    def acquire(self, wanted: int, max_wait: float = 30.0) -> int:
        """Block until `wanted` tokens are granted, or up to `max_wait` seconds; return the count granted."""
        granted = 0
        deadline = time.monotonic() + max_wait
        while granted < wanted:
            granted += self.take(wanted - granted)
            if granted >= wanted or time.monotonic() >= deadline:
                break
            time.sleep(min(1.0, max(0.005, (wanted - granted) / self.rate)))
        return granted


INBOUND_WINDOW_SECONDS = 3600


def inbound_count(redis: Redis, msisdn: str) -> int:
    """Count this message against the sender's hourly allowance and return the running total."""
    window = int(time.time()) // INBOUND_WINDOW_SECONDS
    key = f"rabta:sms:inbound:{msisdn}:{window}"
    count, _ = Batch(redis).incr(key).expire(key, INBOUND_WINDOW_SECONDS).execute()
    return int(count)


def first_in_window(redis: Redis, key: str, seconds: int = INBOUND_WINDOW_SECONDS) -> bool:
    """True once per `seconds` for `key` (e.g. the one help reply per sender per hour)."""
    return bool(redis.set(f"rabta:sms:once:{key}", "1", nx=True, ex=seconds))
