"""40 parallel wrong sign-in codes compare at most 5 codes (issue 14, defect 8): the attempt is counted
before the comparison, in one Redis operation."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest

from app.auth.otp import MAX_WRONG, OTP_TTL_SECONDS, OtpKeys, _digest, check_otp
from app.errors import InvalidOtp, OtpLocked
from app.runtime import Runtime

NUMBER = "+923001230040"
SECRET = "test-secret-key-0123456789"


def _plant_code(runtime: Runtime, code: str) -> None:
    runtime.redis.set(OtpKeys.for_number(NUMBER).code, _digest(SECRET, NUMBER, code), ex=OTP_TTL_SECONDS)


def _guess(runtime: Runtime, code: str, barrier: Barrier) -> str:
    barrier.wait()
    try:
        check_otp(redis=runtime.redis, secret=SECRET, msisdn=NUMBER, code=code)
    except InvalidOtp:
        return "wrong"
    except OtpLocked:
        return "locked"
    return "accepted"


def test_forty_parallel_wrong_guesses_compare_at_most_the_limit(runtime: Runtime) -> None:
    _plant_code(runtime, "999999")
    barrier = Barrier(40)
    with ThreadPoolExecutor(max_workers=40) as pool:
        outcomes = list(pool.map(lambda n: _guess(runtime, f"{n:06d}", barrier), range(40)))
    # Compared guesses answer "wrong" (the first 4) or lock the number (the 5th); the other 35 are never compared.
    assert outcomes.count("wrong") == MAX_WRONG - 1
    assert outcomes.count("locked") == 40 - (MAX_WRONG - 1)
    assert runtime.redis.exists(OtpKeys.for_number(NUMBER).lock) == 1


def test_the_right_code_is_refused_once_the_guesses_locked_the_number(runtime: Runtime) -> None:
    _plant_code(runtime, "123456")
    barrier = Barrier(40)
    codes = [f"{n:06d}" for n in range(40)] + ["123456"]
    with ThreadPoolExecutor(max_workers=40) as pool:
        list(pool.map(lambda c: _guess(runtime, c, barrier), codes[:40]))
    with pytest.raises(OtpLocked):
        check_otp(redis=runtime.redis, secret=SECRET, msisdn=NUMBER, code="123456")


def test_a_correct_code_after_a_few_wrong_ones_still_signs_in_and_resets_the_count(runtime: Runtime) -> None:
    _plant_code(runtime, "654321")
    for wrong in ("000001", "000002"):
        with pytest.raises(InvalidOtp):
            check_otp(redis=runtime.redis, secret=SECRET, msisdn=NUMBER, code=wrong)
    check_otp(redis=runtime.redis, secret=SECRET, msisdn=NUMBER, code="654321")
    assert runtime.redis.exists(OtpKeys.for_number(NUMBER).wrong) == 0
