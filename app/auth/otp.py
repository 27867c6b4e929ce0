"""One-time sign-in codes, kept in Redis (hashed) and sent by SMS through the outbox.

Limits, per number: a code lives 5 minutes; at most 3 sends per 15 minutes; 5 wrong
codes lock the number for 15 minutes. Codes are never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

from redis import Redis
from sqlmodel import Session

from app import metrics
from app.citizens.identity import mask_msisdn
from app.citizens.service import find_by_msisdn
from app.errors import InvalidOtp, OtpLocked, RateLimited
from app.notifications.service import queue_notification

log = logging.getLogger("rabta.auth.otp")

OTP_DIGITS = 6
OTP_TTL_SECONDS = 300
MAX_SENDS = 3
SEND_WINDOW_SECONDS = 900
MAX_WRONG = 5
LOCK_SECONDS = 900


@dataclass(frozen=True)
class OtpKeys:
    code: str
    sends: str
    wrong: str
    lock: str

    @classmethod
    def for_number(cls, msisdn: str) -> OtpKeys:
        base = f"rabta.auth.otp:{msisdn}"
        return cls(code=f"{base}:code", sends=f"{base}:sends", wrong=f"{base}:wrong", lock=f"{base}:lock")


def _digest(secret: str, msisdn: str, code: str) -> str:
    return hmac.new(secret.encode(), f"{msisdn}:{code}".encode(), hashlib.sha256).hexdigest()


def _ttl(redis: Redis, key: str, default: int) -> int:
    remaining = int(redis.ttl(key))  # type: ignore[arg-type]
    return remaining if remaining > 0 else default


def _count(redis: Redis, key: str, window: int) -> int:
    """Increment a counter whose window starts at its first hit."""
    # SET NX + INCR (INCR keeps the TTL); works on Redis 6 too, unlike EXPIRE NX.
    pipe = redis.pipeline()
    pipe.set(key, 0, ex=window, nx=True)
    pipe.incr(key)
    _, count = pipe.execute()
    return int(count)


def send_otp(*, session: Session, redis: Redis, secret: str, msisdn: str, language: str) -> None:
    """Create a code and queue its SMS in the caller's transaction.

    Whether the number has an account changes nothing in what the caller sees.
    """
    keys = OtpKeys.for_number(msisdn)
    if redis.exists(keys.lock):
        raise OtpLocked("Too many wrong codes for this number.", retry_after=_ttl(redis, keys.lock, LOCK_SECONDS))
    if _count(redis, keys.sends, SEND_WINDOW_SECONDS) > MAX_SENDS:
        metrics.count_rate_limited("otp_sends")
        raise RateLimited("Too many codes requested for this number.",
                          retry_after=_ttl(redis, keys.sends, SEND_WINDOW_SECONDS))
    code = f"{secrets.randbelow(10**OTP_DIGITS):0{OTP_DIGITS}d}"
    redis.set(keys.code, _digest(secret, msisdn, code), ex=OTP_TTL_SECONDS)
    citizen = find_by_msisdn(session=session, msisdn=msisdn)
    queue_notification(session=session, kind="otp", template="otp.sms",
                       params={"code": code, "minutes": OTP_TTL_SECONDS // 60}, citizen=citizen,
                       msisdn=msisdn, language=citizen.language if citizen else language, redis=redis)
    log.info("sign-in code queued for %s", mask_msisdn(msisdn))


# KEYS lock, attempts; ARGV max, window. One atomic step: refused while locked, else the attempt is counted
# BEFORE any comparison, so N parallel guesses compare at most MAX_WRONG codes. Returns the attempt number, or
# -1 when the guess may not be compared at all.
_COUNT_ATTEMPT = """
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local n = redis.call('INCR', KEYS[2])
if n == 1 then redis.call('EXPIRE', KEYS[2], ARGV[2]) end
if n > tonumber(ARGV[1]) then return -1 end
return n
"""


def check_otp(*, redis: Redis, secret: str, msisdn: str, code: str) -> None:
    """Consume a correct code (single use) or count a wrong one; raises InvalidOtp / OtpLocked."""
    keys = OtpKeys.for_number(msisdn)
    attempt = int(redis.eval(_COUNT_ATTEMPT, 2, keys.lock, keys.wrong, MAX_WRONG, LOCK_SECONDS))  # type: ignore[arg-type]
    if attempt < 0:
        raise OtpLocked("Too many wrong codes for this number.", retry_after=_ttl(redis, keys.lock, LOCK_SECONDS))
    stored = redis.get(keys.code)
    expected = _digest(secret, msisdn, code).encode()
    # DEL returning 1 makes the code single-use even against two concurrent correct tries.
    if isinstance(stored, bytes) and hmac.compare_digest(stored, expected) and redis.delete(keys.code) == 1:
        redis.delete(keys.wrong)
        return
    if attempt >= MAX_WRONG:
        pipe = redis.pipeline()
        pipe.set(keys.lock, "1", ex=LOCK_SECONDS)
        pipe.delete(keys.code, keys.wrong)
        pipe.execute()
        log.info("sign-in locked for %s after %s wrong codes", mask_msisdn(msisdn), MAX_WRONG)
        raise OtpLocked("Too many wrong codes for this number.", retry_after=LOCK_SECONDS)
    raise InvalidOtp("That code is wrong or has expired.")
