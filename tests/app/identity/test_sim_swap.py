"""SIM-swap defence (issue 14): when the identity port says a number's SIM changed recently (sandbox: numbers
ending in 7777), PIN actions and new app sign-ins are held for 24 hours and the number is told, once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.citizens.models import Citizen
from app.citizens.service import attempt_pin
from app.notifications.models import Notification
from app.runtime import Runtime
from app.timeutil import utcnow
from tests.factories import make_citizen
from tests.fixtures.api import last_otp
from tests.fixtures.ussd import UssdCall

SWAPPED = "+923001237777"


def _told(session: Session) -> list[Notification]:
    session.rollback()
    return list(session.exec(select(Notification).where(Notification.kind == "sim_swap")))


def test_a_new_app_sign_in_after_a_sim_change_is_held_and_the_number_told_once(
        client: FlaskClient, runtime: Runtime, session: Session) -> None:
    for _ in range(2):
        client.post("/api/v1/auth/otp", json={"msisdn": SWAPPED})
        response = client.post("/api/v1/auth/token", json={"msisdn": SWAPPED, "otp": last_otp(runtime, SWAPPED)})
        assert response.status_code == 423 and response.json["code"] == "sim_swap_hold"
    [told] = _told(session)
    assert told.msisdn == SWAPPED and "SIM was changed recently" in told.body and "24 hours" in told.body
    citizen = session.exec(select(Citizen).where(Citizen.msisdn == SWAPPED)).one()
    hold = citizen.sim_swap_hold_until
    assert hold is not None and timedelta(hours=23) < hold - utcnow() <= timedelta(hours=24)


def test_ussd_pin_payment_after_a_sim_change_is_refused(demo: None, session: Session,
                                                        dial: Callable[..., UssdCall]) -> None:
    citizen = make_citizen(session, SWAPPED)
    from app.citizens.pins import hash_pin

    citizen.pin_hash = hash_pin("4826")
    session.add(citizen)
    session.commit()
    call = dial(SWAPPED)
    call.send("1", "10000000000000001", "1")
    answer = call.send("4826")
    assert answer.startswith("END ") and "started" not in answer  # refused: no payment
    assert len(_told(session)) == 1
    session.expire_all()
    outcome = attempt_pin(session=session, citizen_id=citizen.id or 0, pin="4826")
    assert outcome.error is not None and outcome.error.code == "sim_swap_hold"


def test_other_numbers_are_not_held(client: FlaskClient, runtime: Runtime, session: Session) -> None:
    client.post("/api/v1/auth/otp", json={"msisdn": "+923001234568"})
    response = client.post("/api/v1/auth/token",
                           json={"msisdn": "+923001234568", "otp": last_otp(runtime, "+923001234568")})
    assert response.status_code == 200 and _told(session) == []
