"""The banks' 1Bill rail: every response code, malformed fields and bad credentials."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from app.bills.models import Bill
from app.settings import Settings
from app.timeutil import today  # the demo seed dates its bills on the UTC day
from payments.models import Payment, PaymentEvent
from tests.payments.helpers import basic_auth, notifications, payment_payload

INQUIRY = "/billers/1bill/inquiry"
PAYMENT = "/billers/1bill/payment"
AYESHA_CHALLAN, AYESHA_TOKEN_TAX_PAID, BILAL_OVERDUE, BILAL_BLOCKED = (
    "10000000000000001", "10000000000000003", "10000000000000004", "10000000000000005")


def _inquire(client: FlaskClient, psid: str, **extra: Any) -> Any:
    return client.post(INQUIRY, json={"consumer_number": psid, "bank_mnemonic": "HBL", **extra}, headers=basic_auth())


def test_inquiry_of_an_unpaid_bill_answers_amounts_in_an14(client: FlaskClient, demo: None) -> None:
    response = _inquire(client, AYESHA_CHALLAN)
    assert response.status_code == 200
    body = response.json
    due = today() + timedelta(days=10)
    assert body["response_Code"] == "00" and body["bill_status"] == "U"
    assert body["amount_within_dueDate"] == "+0000000150000"
    assert body["amount_after_dueDate"] == "+0000000200000"
    assert body["due_date"] == due.strftime("%Y%m%d") and body["billing_month"] == due.strftime("%y%m")
    assert body["consumer_Detail"].startswith("PSCA") and len(body["consumer_Detail"]) <= 30
    assert body["date_paid"] == body["amount_paid"] == body["tran_auth_Id"] == ""


def test_inquiry_of_a_paid_bill_names_when_and_how_much(client: FlaskClient, demo: None) -> None:
    body = _inquire(client, AYESHA_TOKEN_TAX_PAID).json
    assert body["response_Code"] == "00" and body["bill_status"] == "P"
    assert body["amount_paid"] == "000000400000" and len(body["date_paid"]) == 8


def test_inquiry_of_a_blocked_bill_answers_02(client: FlaskClient, demo: None) -> None:
    body = _inquire(client, BILAL_BLOCKED).json
    assert body["response_Code"] == "02" and body["bill_status"] == "B"


@pytest.mark.parametrize("consumer_number", ["99999999999999999", "123"])
def test_inquiry_of_an_unknown_consumer_number_answers_01(client: FlaskClient, demo: None,
                                                          consumer_number: str) -> None:
    response = _inquire(client, consumer_number)
    assert response.status_code == 200 and response.json["response_Code"] == "01"


@pytest.mark.parametrize("body", [
    {"consumer_number": "ABC", "bank_mnemonic": "HBL"},
    {"consumer_number": "10000000000000001"},
    {"consumer_number": 10000000000000001, "bank_mnemonic": "HBL"},
    {"consumer_number": "10000000000000001", "bank_mnemonic": "H B L"},
    [],
])
def test_inquiry_with_malformed_fields_answers_04(client: FlaskClient, demo: None, body: Any) -> None:
    response = client.post(INQUIRY, json=body, headers=basic_auth())
    assert response.status_code == 400 and response.json["response_Code"] == "04"


def test_inquiry_with_a_body_that_is_not_json_answers_04(client: FlaskClient) -> None:
    response = client.post(INQUIRY, data=b"consumer_number=1", headers=basic_auth())
    assert response.status_code == 400 and response.json["response_Code"] == "04"


@pytest.mark.parametrize("headers", [{}, basic_auth("bank-user", "wrong"), basic_auth("other", "bank-pass-123"),
                                     {"Authorization": "Bearer abc"}])
def test_bad_or_missing_credentials_answer_04_with_401(client: FlaskClient, demo: None,
                                                       headers: dict[str, str]) -> None:
    for path, body in ((INQUIRY, {"consumer_number": AYESHA_CHALLAN, "bank_mnemonic": "HBL"}),
                       (PAYMENT, payment_payload(AYESHA_CHALLAN, "A1", 150000))):
        response = client.post(path, json=body, headers=headers)
        assert response.status_code == 401 and response.json["response_Code"] == "04"
        assert "Basic" in response.headers["WWW-Authenticate"]


def test_the_rail_is_off_without_both_credentials(settings: Settings) -> None:
    from app import create_app

    off = create_app(settings.model_copy(update={"ONEBILL_PASSWORD": None}))
    response = off.test_client().post("/billers/1bill/payment", headers=basic_auth(),
                                      json=payment_payload(AYESHA_CHALLAN, "OFF00001", 150000))
    assert (response.status_code, response.json["code"]) == (404, "not_found")
    with off.extensions["rabta"].db.session() as session:
        assert session.exec(select(Payment)).all() == []
    off.extensions["rabta"].db.dispose()


def test_a_payment_settles_the_bill_once_and_queues_a_receipt_for_its_owner(
        client: FlaskClient, session: Session, demo: None) -> None:
    response = client.post(PAYMENT, json=payment_payload(AYESHA_CHALLAN, "TX1001", 150000), headers=basic_auth())
    assert response.status_code == 200
    body = response.json
    assert body["response_Code"] == "00" and body["Identification_parameter"].startswith("RB")
    [payment] = session.exec(select(Payment)).all()
    assert payment.rail == "1bill" and payment.channel == "bank" and payment.provider_reference == "TX1001"
    assert payment.status == "succeeded" and payment.receipt_number == body["Identification_parameter"]
    bill = session.exec(select(Bill).where(Bill.psid == AYESHA_CHALLAN)).one()
    assert bill.status == "paid" and bill.settled_by_payment_id == payment.id and bill.paid_amount == 150000
    [receipt] = notifications(session, "payment_receipt")
    assert receipt.msisdn == "+923001234567"
    inquiry = _inquire(client, AYESHA_CHALLAN).json
    assert inquiry["bill_status"] == "P" and inquiry["tran_auth_Id"] == "TX1001"
    assert inquiry["amount_paid"] == "000000150000"


def test_a_repeated_tran_auth_id_answers_03_and_never_pays_twice(
        client: FlaskClient, session: Session, demo: None) -> None:
    first = client.post(PAYMENT, json=payment_payload(AYESHA_CHALLAN, "TX2002", 150000), headers=basic_auth())
    repeat = client.post(PAYMENT, json=payment_payload(AYESHA_CHALLAN, "TX2002", 150000), headers=basic_auth())
    elsewhere = client.post(PAYMENT, json=payment_payload("10000000000000002", "TX2002", 1235000),
                            headers=basic_auth())
    assert first.json["response_Code"] == "00"
    assert repeat.status_code == 200 and repeat.json["response_Code"] == "03"
    assert elsewhere.json["response_Code"] == "03"
    assert len(session.exec(select(Payment)).all()) == 1
    assert len(notifications(session, "payment_receipt")) == 1


def test_paying_a_paid_bill_with_a_new_tran_auth_id_answers_03(client: FlaskClient, demo: None) -> None:
    response = client.post(PAYMENT, json=payment_payload(AYESHA_TOKEN_TAX_PAID, "TX3003", 400000),
                           headers=basic_auth())
    assert response.json["response_Code"] == "03"


def test_a_wrong_amount_is_refused_and_logged(client: FlaskClient, session: Session, demo: None) -> None:
    response = client.post(PAYMENT, json=payment_payload(AYESHA_CHALLAN, "TX4004", 140000), headers=basic_auth())
    assert response.json["response_Code"] == "03"
    bill = session.exec(select(Bill).where(Bill.psid == AYESHA_CHALLAN)).one()
    assert bill.status == "unpaid"
    refused = session.exec(select(PaymentEvent).where(PaymentEvent.kind == "bank_payment_refused")).one()
    assert refused.payload["reason"] == "wrong_amount"


def test_an_overdue_bill_must_be_paid_with_its_surcharge(client: FlaskClient, demo: None) -> None:
    short = client.post(PAYMENT, json=payment_payload(BILAL_OVERDUE, "TX5005", 100000), headers=basic_auth())
    full = client.post(PAYMENT, json=payment_payload(BILAL_OVERDUE, "TX5006", 150000), headers=basic_auth())
    assert short.json["response_Code"] == "03" and full.json["response_Code"] == "00"


def test_paying_a_blocked_or_unknown_bill_answers_02_or_01(client: FlaskClient, demo: None) -> None:
    blocked = client.post(PAYMENT, json=payment_payload(BILAL_BLOCKED, "TX6006", 50000), headers=basic_auth())
    unknown = client.post(PAYMENT, json=payment_payload("99999999999999999", "TX6007", 50000), headers=basic_auth())
    assert blocked.json["response_Code"] == "02" and unknown.json["response_Code"] == "01"


@pytest.mark.parametrize("override", [
    {"transaction_amount": "1500.00"}, {"transaction_amount": "+00000150000"}, {"transaction_amount": 150000},
    {"transaction_amount": "000000000000"}, {"tran_auth_id": ""}, {"tran_auth_id": "has space"},
    {"tran_date": "20261345"}, {"tran_time": "25:00:00"}, {"tran_date": None}, {"bank_mnemonic": ""},
    {"consumer_number": "PSID-1"},
])
def test_a_payment_with_malformed_fields_answers_04(client: FlaskClient, session: Session, demo: None,
                                                    override: dict[str, Any]) -> None:
    body = {**payment_payload(AYESHA_CHALLAN, "TX7007", 150000), **override}
    response = client.post(PAYMENT, json=body, headers=basic_auth())
    assert response.status_code == 400 and response.json["response_Code"] == "04"
    assert session.exec(select(col(Payment.id))).first() is None
