"""End to end: an agency issues a challan over the API and the citizen pays it over the API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.runtime import Runtime
from app.settings import Settings
from payments.models import Payment, PaymentEvent
from tests.factories import local_day
from tests.fixtures.api import agency_headers, sign_in
from tests.fixtures.payments import RunningSandbox, wait_until

APPROVING_NUMBER = "+923001112223"  # the sandbox wallet approves charges from this number


@pytest.fixture
def settings(base_settings: Settings, payment_overrides: dict[str, Any]) -> Settings:
    return base_settings.model_copy(update=payment_overrides)


def _callback_arrived(session: Session, reference: str) -> Callable[[], bool]:
    def check() -> bool:
        session.rollback()
        payment = session.exec(select(Payment).where(Payment.reference == reference)).one()
        return session.exec(select(PaymentEvent).where(PaymentEvent.payment_id == payment.id,
                                                       PaymentEvent.kind == "callback")).first() is not None
    return check


def test_an_agency_challan_is_paid_by_the_citizen_over_the_api(
        client: FlaskClient, runtime: Runtime, session: Session, demo: None, wallet: RunningSandbox,
        run_jobs: Callable[[], None]) -> None:
    psca = agency_headers(runtime, "PSCA")
    issued = client.post("/api/v1/agency/bills", headers=psca, json={
        "kind": "challan", "description": "Over-speeding, Canal Road", "amount_within_due": 250000,
        "amount_after_due": 350000, "due_date": str(local_day() + timedelta(days=7)),
        "citizen_msisdn": APPROVING_NUMBER})
    assert issued.status_code == 201
    psid = issued.json["psid"]

    citizen = sign_in(client, runtime, APPROVING_NUMBER)
    [bill] = client.get("/api/v1/bills?status=unpaid", headers=citizen.headers).json["items"]
    assert bill["psid"] == psid and bill["payable_now"] == 250000

    started = client.post("/api/v1/payments", headers={**citizen.headers, "Idempotency-Key": "pay-challan-1"},
                          json={"psid": psid})
    assert started.status_code == 202
    reference = started.json["reference"]
    run_jobs()  # the charge job calls the sandbox wallet, which calls our live callback endpoint
    wait_until(_callback_arrived(session, reference))
    run_jobs()  # confirmation job settles the payment

    payment = client.get(f"/api/v1/payments/{reference}", headers=citizen.headers).json
    assert payment["status"] == "succeeded" and payment["receipt_number"]
    assert client.get(f"/api/v1/bills/{psid}", headers=citizen.headers).json["status"] == "paid"
    [reconciled] = client.get("/api/v1/agency/payments", headers=psca).json["items"]
    assert (reconciled["reference"], reconciled["status"], reconciled["amount"]) == (reference, "succeeded", 250000)
    kinds = [m["kind"] for m in client.get("/api/v1/notifications", headers=citizen.headers).json["items"]]
    assert {"bill_issued", "otp", "payment_receipt"} <= set(kinds)
