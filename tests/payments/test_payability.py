"""One rule, every channel: can this bill be paid now, for how much, and if not, why.

`payments.payability` decides; the app API, USSD, SMS and the 1Bill biller endpoints each ask it
and answer the same thing in their own format, up front (before a PIN or a confirmation code).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, col, func, select

from app.bills.models import Bill
from app.messages import text
from app.messages.formatting import format_money
from app.runtime import Runtime
from payments.models import Payment
from payments.payability import ALREADY_PAID, IN_FLIGHT, IS_BLOCKED, NOT_ISSUED, payability_of
from tests.factories import local_day
from tests.fixtures.api import sign_in
from tests.fixtures.channels import TextRabta
from tests.fixtures.ussd import UssdCall, screen_of
from tests.payments.helpers import basic_auth, payment_payload
from ussd.render import t

AYESHA, BILAL = "+923001234567", "+923331234567"
UNPAID, PAID, OVERDUE, BLOCKED = "10000000000000001", "10000000000000003", "10000000000000004", "10000000000000005"


def _payments_for(session: Session, psid: str) -> int:
    session.rollback()
    bill = session.exec(select(Bill).where(Bill.psid == psid)).one()
    return int(session.exec(select(func.count()).select_from(Payment).where(col(Payment.bill_id) == bill.id)).one())


def _start_in_the_app(client: FlaskClient, runtime: Runtime, msisdn: str, psid: str, key: str) -> Any:
    who = sign_in(client, runtime, msisdn)
    return client.post("/api/v1/payments", json={"psid": psid},
                       headers={**who.headers, "Idempotency-Key": key, "Accept-Language": "ur"})


def _ussd_bill_screen(dial: Callable[..., UssdCall], psid: str) -> str:
    call = dial(BILAL)
    call.send("1", psid)
    return screen_of(call)


def _onebill(client: FlaskClient, path: str, body: dict[str, Any]) -> dict[str, str]:
    response = client.post(f"/billers/1bill/{path}", json=body, headers=basic_auth())
    payload: dict[str, str] = response.json
    return payload


@pytest.mark.parametrize(("psid", "error_key", "ussd_words", "onebill_code"), [
    (PAID, "error.bill_paid", "ada ho chuka", "03"), (BLOCKED, "error.bill_blocked", "rok diya hai", "02"),
])
def test_a_paid_or_blocked_bill_is_refused_up_front_on_every_channel(
        client: FlaskClient, runtime: Runtime, session: Session, demo: None, dial: Callable[..., UssdCall],
        text_rabta: TextRabta, psid: str, error_key: str, ussd_words: str, onebill_code: str) -> None:
    api = _start_in_the_app(client, runtime, BILAL, psid, "k1")
    assert (api.status_code, api.json["detail"]) == (409, text(error_key, "ur"))

    screen = _ussd_bill_screen(dial, psid)  # Bilal reads Roman Urdu on USSD
    assert ussd_words in screen and "PIN" not in screen

    assert text_rabta(BILAL, f"ادا {psid}") == text(error_key, "ur")
    bank = _onebill(client, "payment", payment_payload(psid, "TXREFUSED1", 50000))
    assert bank["response_Code"] == onebill_code
    assert _payments_for(session, psid) == 0


def test_a_bill_with_a_payment_in_flight_is_refused_up_front_on_all_four_channels(
        client: FlaskClient, runtime: Runtime, session: Session, demo: None, dial: Callable[..., UssdCall],
        text_rabta: TextRabta) -> None:
    first = _start_in_the_app(client, runtime, AYESHA, UNPAID, "first")
    assert first.status_code == 202
    in_progress = text("error.payment_in_flight", "ur")

    again = _start_in_the_app(client, runtime, BILAL, UNPAID, "second")
    assert (again.status_code, again.json["code"], again.json["detail"]) == (409, "payment_in_flight", in_progress)

    screen = _ussd_bill_screen(dial, UNPAID)  # said on the bill screen, before any PIN is asked for
    assert t("error.payment_in_flight", "ur") in screen and "PIN" not in screen

    assert text_rabta(BILAL, f"ادا {UNPAID}") == in_progress  # no confirmation code is sent

    inquiry = _onebill(client, "inquiry", {"consumer_number": UNPAID, "bank_mnemonic": "HBL"})
    assert (inquiry["response_Code"], inquiry["bill_status"]) == ("02", "B")
    bank = _onebill(client, "payment", payment_payload(UNPAID, "TXHELDOFF1", 150000))
    assert bank["response_Code"] == "02"
    assert _payments_for(session, UNPAID) == 1  # only the first wallet payment


def test_an_overdue_bill_costs_the_after_due_amount_on_every_channel(
        client: FlaskClient, runtime: Runtime, session: Session, demo: None, dial: Callable[..., UssdCall],
        text_rabta: TextRabta) -> None:
    after_due = format_money(150000)
    assert after_due in _ussd_bill_screen(dial, OVERDUE)
    reply = text_rabta(BILAL, f"PAY {OVERDUE}")
    assert reply is not None and after_due in reply
    assert _onebill(client, "payment", payment_payload(OVERDUE, "TXLOW00001", 100000))["response_Code"] == "03"

    api = _start_in_the_app(client, runtime, BILAL, OVERDUE, "overdue")
    assert (api.status_code, api.json["amount"]) == (202, 150000)
    with runtime.db.session() as fresh:  # the one-statement read and the locking read agree
        assert payability_of(session=fresh, psid=OVERDUE, on=local_day()).reason == IN_FLIGHT
        assert payability_of(session=fresh, psid=OVERDUE, on=local_day(), lock=True).reason == IN_FLIGHT


def test_the_rule_names_each_reason(runtime: Runtime, demo: None) -> None:
    today = local_day()
    with runtime.db.session() as session:
        assert payability_of(session=session, psid=PAID, on=today).reason == ALREADY_PAID
        assert payability_of(session=session, psid=BLOCKED, on=today).reason == IS_BLOCKED
        unpaid = payability_of(session=session, psid=UNPAID, on=today)
        assert (unpaid.payable, unpaid.amount) == (True, 150000)
        assert payability_of(session=session, psid=UNPAID, on=today, offered_amount=1).reason == "amount_mismatch"
        issued = unpaid.bill.issued_on if unpaid.bill else today
        assert payability_of(session=session, psid=UNPAID, on=issued - timedelta(days=1)).reason == NOT_ISSUED
        assert payability_of(session=session, psid="19999999999999999", on=today).reason == "unknown"
        assert payability_of(session=session, psid=UNPAID, on=today, lock=True).payable
