"""A USSD payment carried through to `succeeded` by a real worker and the sandbox wallet over HTTP."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session, select

from app.bills.models import Bill
from app.notifications.models import Notification
from app.settings import Settings
from payments.models import Payment
from tests.fixtures.payments import RunningSandbox, wait_until
from tests.fixtures.ussd import AYESHA, AYESHA_PIN, UssdCall


@pytest.fixture
def settings(base_settings: Settings, payment_overrides: dict[str, Any]) -> Settings:
    return base_settings.model_copy(update=payment_overrides)


def _payment(session: Session) -> Payment | None:
    session.rollback()  # end the read snapshot (SQLite WAL keeps one per transaction)
    return session.exec(select(Payment)).first()


@pytest.mark.parametrize("language", ["en", "ur", "ur-Latn"])
def test_paying_the_demo_challan_over_ussd_ends_in_a_succeeded_payment_and_a_receipt(
        demo: None, session: Session, dial: Callable[..., UssdCall], wallet: RunningSandbox,
        start_worker: Callable[[], subprocess.Popen[bytes]], language: str) -> None:
    call = dial(AYESHA)
    if language != "en":
        call.send("4", "2" if language == "ur" else "3")
    done = call.send("1", "10000000000000001", "1", AYESHA_PIN)
    assert done.startswith("END ")
    start_worker()
    settled = wait_until(lambda: (p := _payment(session)) is not None and p.status == "succeeded" and p)
    assert settled.reference in done and settled.channel == "ussd" and settled.amount == 150000
    bill = session.exec(select(Bill).where(Bill.psid == "10000000000000001")).one()
    assert bill.status == "paid" and bill.settled_by_payment_id == settled.id
    session.rollback()
    receipt = session.exec(select(Notification).where(Notification.kind == "payment_receipt")).one()
    assert receipt.msisdn == AYESHA
    # Paying it again over USSD now says it is paid, and starts nothing.
    again = dial(AYESHA).send("1", "10000000000000001")
    assert "paid" in again or "ada ho chuka" in again
