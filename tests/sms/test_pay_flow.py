"""Paying by SMS end to end: PAY, the one-time code, YES, the sandbox wallet, the receipt by SMS."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session, select
from werkzeug.test import TestResponse

from app.settings import Settings
from payments.models import Payment
from tests.factories import make_bill, make_citizen
from tests.fixtures.payments import RunningSandbox, wait_until
from tests.fixtures.sms import FakeAfricasTalking, FakeTwilio
from tests.payments.helpers import APPROVING_NUMBER, events
from tests.sms.conftest import at_inbound, outbound, sms_overrides

RunJobs = Callable[[], None]


@pytest.fixture
def settings(base_settings: Settings, payment_overrides: dict[str, Any], fake_twilio: FakeTwilio,
             fake_at: FakeAfricasTalking) -> Settings:
    # PUBLIC_BASE_URL must be the live app the sandbox wallet calls back.
    overrides = {**sms_overrides(fake_twilio, fake_at), **payment_overrides}
    return base_settings.model_copy(update=overrides)


def test_pay_then_yes_settles_the_bill_and_the_receipt_follows_by_sms(
        runtime: Any, session: Session, wallet: RunningSandbox, fake_twilio: FakeTwilio, run_jobs: RunJobs,
        post_at: Callable[..., TestResponse]) -> None:
    with runtime.db.transaction() as tx:
        bill = make_bill(tx, citizen=make_citizen(tx, msisdn=APPROVING_NUMBER), within=150000)
    assert post_at("/sms/africastalking", at_inbound(f"pay {bill.psid}", sender=APPROVING_NUMBER)).status_code == 200
    run_jobs()  # the reply goes out through the queue
    [offer] = fake_twilio.requests
    assert offer.form["To"] == APPROVING_NUMBER and "Rs 1,500" in offer.form["Body"]
    code = re.search(r"YES (\d{6})", offer.form["Body"])
    assert code is not None

    post_at("/sms/africastalking", at_inbound(f"YES {code.group(1)}", sender=APPROVING_NUMBER))
    payment = session.exec(select(Payment)).one()
    assert (payment.channel, payment.msisdn, payment.status) == ("sms", APPROVING_NUMBER, "initiated")
    run_jobs()  # the charge job asks the wallet, which calls us back
    wait_until(lambda: bool(events(session, payment, "callback")))
    run_jobs()  # confirmation settles the payment, the receipt goes through the outbox to SMS

    session.rollback()
    settled = session.get(Payment, payment.id)
    assert settled is not None and settled.status == "succeeded"
    kinds = [m.kind for m in outbound(session)]
    assert kinds == ["pay_code", "reply", "payment_receipt"]
    receipt = fake_twilio.requests[-1]
    assert receipt.form["To"] == APPROVING_NUMBER and (settled.receipt_number or "?") in receipt.form["Body"]
    assert all(m.status == "sent" for m in outbound(session))
