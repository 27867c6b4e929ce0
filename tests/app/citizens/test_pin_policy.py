"""One PIN policy, every channel: what a PIN looks like, when paying asks for one, and how it changes.

Setting a PIN when one exists always needs the old PIN or a fresh one-time code, whichever channel
asks (the app's PUT /me/pin, linking a CNIC over USSD); and a lockout is never cleared by it.
"""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.citizens.models import Citizen
from app.citizens.pins import pin_required_to_pay
from app.citizens.service import attempt_pin
from app.runtime import Runtime
from tests.fixtures.api import SignedIn, last_otp, sign_in
from tests.fixtures.ussd import UssdCall

FRESH, FIRST_PIN, CNIC = "+923459876543", "4826", "35202-7776654-3"


def _citizen(session: Session, msisdn: str) -> Citizen:
    session.rollback()
    return session.exec(select(Citizen).where(Citizen.msisdn == msisdn)).one()


def _with_a_pin_and_no_cnic(client: FlaskClient, runtime: Runtime) -> SignedIn:
    citizen = sign_in(client, runtime, FRESH)
    assert client.put("/api/v1/me/pin", headers=citizen.headers, json={"new_pin": FIRST_PIN}).status_code == 204
    return citizen


def _link_over_ussd(dial: Callable[..., UssdCall]) -> UssdCall:
    call = dial(FRESH)
    call.send("3", "1", CNIC)  # My bills -> not linked yet -> link my CNIC
    return call


def test_paying_asks_for_the_pin_only_on_ussd() -> None:
    assert pin_required_to_pay(has_pin=True, channel="ussd")
    assert not pin_required_to_pay(has_pin=False, channel="ussd")
    assert not pin_required_to_pay(has_pin=True, channel="sms")  # a one-time PAY code instead
    assert not pin_required_to_pay(has_pin=True, channel="app")  # a signed-in session


def test_the_same_pin_format_and_weak_pins_are_refused_in_the_app_and_over_ussd(
        client: FlaskClient, runtime: Runtime, dial: Callable[..., UssdCall]) -> None:
    citizen = sign_in(client, runtime, FRESH)
    assert client.put("/api/v1/me/pin", headers=citizen.headers, json={"new_pin": "123"}).json["errors"] == \
        {"new_pin": "invalid format"}
    assert client.put("/api/v1/me/pin", headers=citizen.headers, json={"new_pin": "1234"}).json["errors"] == \
        {"new_pin": "too simple"}
    call = _link_over_ussd(dial)
    assert call.send("123").startswith("CON A PIN is 4 digits.")
    assert call.send("1234").startswith("CON Choose a PIN that is harder to guess.")


def test_linking_a_cnic_over_ussd_with_a_pin_set_asks_for_that_pin_and_keeps_it(
        client: FlaskClient, runtime: Runtime, session: Session, dial: Callable[..., UssdCall]) -> None:
    _with_a_pin_and_no_cnic(client, runtime)
    call = _link_over_ussd(dial)
    assert "Enter your 4-digit PIN to link this CNIC" in call.response.get_data(as_text=True)  # type: ignore[union-attr]
    screen = call.send("5937")  # a wrong PIN: counted, and the PIN is not replaced
    assert screen.startswith("CON Wrong PIN. Tries left: 2.")
    assert call.send(FIRST_PIN).startswith("CON Your number is linked to CNIC")
    citizen = _citizen(session, FRESH)
    assert citizen.cnic == CNIC.replace("-", "")
    assert attempt_pin(session=session, citizen_id=citizen.id or 0, pin=FIRST_PIN).ok
    assert not attempt_pin(session=session, citizen_id=citizen.id or 0, pin="5937").ok


def test_a_lockout_is_never_cleared_by_linking_or_by_changing_the_pin(
        client: FlaskClient, runtime: Runtime, session: Session, dial: Callable[..., UssdCall]) -> None:
    citizen = _with_a_pin_and_no_cnic(client, runtime)
    for _ in range(3):
        client.put("/api/v1/me/pin", headers=citizen.headers, json={"new_pin": "5927", "old_pin": "0001"})
    locked_until = _citizen(session, FRESH).pin_locked_until
    assert locked_until is not None

    call = _link_over_ussd(dial)
    assert call.send(FIRST_PIN).startswith("END Too many wrong PINs")
    assert _citizen(session, FRESH).cnic is None

    client.post("/api/v1/auth/otp", json={"msisdn": FRESH})
    changed = client.put("/api/v1/me/pin", headers=citizen.headers,
                         json={"new_pin": "5927", "otp": last_otp(runtime, FRESH)})
    assert changed.status_code == 204  # a fresh code proves the number: the PIN changes...
    assert _citizen(session, FRESH).pin_locked_until == locked_until  # ...and the lockout stays
