"""The PIN over USSD: checked by the citizen service, locked after three wrong tries on every channel,
and never echoed, stored in the session or logged."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session, select

from app.citizens.models import Citizen
from app.citizens.service import attempt_pin
from app.errors import PinLocked
from app.runtime import Runtime
from payments.models import Payment
from tests.fixtures.ussd import AYESHA, AYESHA_PIN, UssdCall

WRONG = "8642"


def _to_pin(dial: Callable[..., UssdCall]) -> UssdCall:
    call = dial(AYESHA)
    call.send("1", "10000000000000001", "1")
    return call


def _ayesha(session: Session) -> Citizen:
    session.rollback()
    return session.exec(select(Citizen).where(Citizen.msisdn == AYESHA)).one()


def test_a_wrong_pin_reprompts_with_the_tries_left(demo: None, dial: Callable[..., UssdCall]) -> None:
    call = _to_pin(dial)
    first = call.send(WRONG)
    assert first.startswith("CON Wrong PIN. Tries left: 2.") and WRONG not in first
    assert "Tries left: 1." in call.send("9753")
    assert call.send(AYESHA_PIN).startswith("END Payment of Rs 1,500 started")


def test_three_wrong_pins_lock_pin_use_for_fifteen_minutes_on_every_channel(
        demo: None, session: Session, runtime: Runtime, dial: Callable[..., UssdCall]) -> None:
    call = _to_pin(dial)
    call.send(WRONG, WRONG)
    locked = call.send(WRONG)
    assert locked == "END Too many wrong PINs. Try again in 15 minutes."
    citizen = _ayesha(session)
    assert citizen.pin_locked_until is not None
    # The right PIN in a new USSD session is refused too...
    assert _to_pin(dial).send(AYESHA_PIN).startswith("END Too many wrong PINs")
    # ...and so it is on any other channel, because the lock lives on the citizen.
    with runtime.db.transaction() as db_session:
        outcome = attempt_pin(session=db_session, citizen_id=citizen.id or 0, pin=AYESHA_PIN)
    with pytest.raises(PinLocked):
        outcome.raise_if_failed()
    assert session.exec(select(Payment)).first() is None


def test_a_pin_format_error_does_not_count_as_a_wrong_pin(
        demo: None, session: Session, dial: Callable[..., UssdCall]) -> None:
    call = _to_pin(dial)
    for bad in ("12", "abcd", "12345", "1*2#", "٢٤٦٨"):
        assert "A PIN is 4 digits." in call.send(bad)
    assert "Nothing was entered." in call.send("")
    assert _ayesha(session).pin_failed_attempts == 0


def test_a_repeated_delivery_of_the_pin_hop_is_answered_once_and_counted_once(
        demo: None, session: Session, dial: Callable[..., UssdCall]) -> None:
    call = _to_pin(dial)
    call.send(WRONG)
    first = call.response.get_data(as_text=True)
    repeat = call.post("*".join(call.inputs)).get_data(as_text=True)  # AT retries the same text
    assert repeat == first
    assert _ayesha(session).pin_failed_attempts == 1


def test_the_pin_is_kept_nowhere_in_redis_and_never_logged(
        demo: None, runtime: Runtime, dial: Callable[..., UssdCall], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    call = _to_pin(dial)
    call.send(WRONG)
    values = [runtime.redis.dump(key) or b"" for key in runtime.redis.scan_iter("rabta:ussd:*")]
    assert values and not any(WRONG.encode() in value for value in values)
    assert WRONG not in caplog.text
