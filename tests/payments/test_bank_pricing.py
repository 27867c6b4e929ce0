"""1Bill pricing: a bank payment is priced on the bank's transaction date, not on our clock.

A citizen who pays at the counter at 23:59 on the due date owes the before-due amount, even
when the bank delivers the payment after midnight. Only today and yesterday (the deployment's
calendar, Asia/Karachi by default) are accepted; any other date is invalid data (04).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.bills.models import Bill
from app.runtime import Runtime
from payments.models import Payment
from tests.factories import local_day, make_bill
from tests.payments.helpers import basic_auth, payment_payload

WITHIN, AFTER = 150000, 200000


def _pay(client: FlaskClient, psid: str, amount: int, day: Any, auth: str) -> tuple[int, str]:
    body = payment_payload(psid, auth, amount, tran_date=day.strftime("%Y%m%d"), tran_time="235900")
    response = client.post("/billers/1bill/payment", json=body, headers=basic_auth())
    return response.status_code, response.json["response_Code"]


@pytest.fixture
def due_yesterday(runtime: Runtime) -> str:
    today = local_day()
    with runtime.db.transaction() as session:
        bill = make_bill(session, within=WITHIN, after=AFTER, due_date=today - timedelta(days=1),
                         issued_on=today - timedelta(days=20))
        return bill.psid


def test_a_payment_made_on_the_due_date_and_delivered_after_midnight_owes_the_before_due_amount(
        client: FlaskClient, session: Session, due_yesterday: str) -> None:
    yesterday = local_day() - timedelta(days=1)
    assert _pay(client, due_yesterday, AFTER, yesterday, "LATE0001") == (200, "03")
    assert _pay(client, due_yesterday, WITHIN, yesterday, "LATE0002") == (200, "00")
    bill = session.exec(select(Bill).where(Bill.psid == due_yesterday)).one()
    assert (bill.status, bill.paid_amount) == ("paid", WITHIN)


def test_the_same_bill_paid_today_owes_the_after_due_amount(client: FlaskClient, due_yesterday: str) -> None:
    assert _pay(client, due_yesterday, WITHIN, local_day(), "TODAY001") == (200, "03")
    assert _pay(client, due_yesterday, AFTER, local_day(), "TODAY002") == (200, "00")


@pytest.mark.parametrize("days_from_today", [-2, -30, 1])
def test_other_transaction_dates_are_refused_as_invalid_data(
        client: FlaskClient, session: Session, due_yesterday: str, days_from_today: int) -> None:
    assert _pay(client, due_yesterday, WITHIN, local_day() + timedelta(days=days_from_today), "ODD00001") == \
        (400, "04")
    assert session.exec(select(Payment)).all() == []


def test_a_payment_dated_before_the_bill_was_issued_is_refused(client: FlaskClient, runtime: Runtime,
                                                               session: Session) -> None:
    with runtime.db.transaction() as tx:
        psid = make_bill(tx, within=WITHIN, issued_on=local_day()).psid
    assert _pay(client, psid, WITHIN, local_day() - timedelta(days=1), "EARLY001") == (200, "03")
    assert session.exec(select(Payment)).all() == []
