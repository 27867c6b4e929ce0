"""Refund cases end to end: a supervisor approves, the sandbox wallet sends the money back, the payment ends
`refunded`, and the citizen is told the truth at each step (or that it failed and what happens next)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session, col, select

from app.audit.models import AuditEntry
from app.notifications.models import Notification
from app.runtime import Runtime
from app.settings import Settings
from payments.models import Payment, PaymentEvent
from payments.providers.base import PermanentProviderError, RefundRequest
from payments.refunds import send_refund
from tests.console.conftest import Console
from tests.console.refund_support import make_refund_case
from tests.fixtures.payments import RunningSandbox
from tests.payments.helpers import scenario_number

PAYER = "+923001112223"


@pytest.fixture
def settings(base_settings: Settings, payment_overrides: dict[str, Any]) -> Settings:
    return base_settings.model_copy(update=payment_overrides)


def payment(session: Session, reference: str) -> Payment:
    session.rollback()
    return session.exec(select(Payment).where(Payment.reference == reference)).one()


def told(session: Session, msisdn: str) -> list[str]:
    session.rollback()
    query = select(Notification).where(Notification.msisdn == msisdn).order_by(col(Notification.id))
    return [n.kind for n in session.exec(query)]


def test_a_supervisor_approves_a_refund_and_the_payment_ends_refunded(
        runtime: Runtime, run_jobs: Callable[[], None], wallet: RunningSandbox, psca_supervisor: Console,
        session: Session) -> None:
    reference = make_refund_case(runtime, run_jobs, wallet, PAYER)
    case = payment(session, reference)
    assert case.refund_due and case.status == "failed"
    [due] = session.exec(select(Notification).where(Notification.kind == "refund_due")).all()
    assert "A refund case is open; you will get an SMS when it is refunded." in due.body
    assert reference in psca_supervisor.get("/console/cases").get_data(as_text=True)

    for _ in range(2):  # a double submit approves (and sends) once
        psca_supervisor.post(f"/console/payments/{reference}/refund", {}, token_from=f"/console/payments/{reference}")
    run_jobs()

    done = payment(session, reference)
    assert (done.status, done.refund_due, done.refund_approved_by) == ("refunded", False, "supervisor@psca.demo")
    assert told(session, PAYER) == ["refund_due", "refund_approved", "refunded"]
    refunds = list(wallet.state.refunds.values())
    assert len(refunds) == 1 and refunds[0]["merchant_reference"] == reference
    kinds = [e.kind for e in session.exec(select(PaymentEvent).where(PaymentEvent.payment_id == done.id))]
    assert kinds.count("refund_approved") == 1 and kinds[-1] == "state_change"
    assert len(session.exec(select(AuditEntry).where(AuditEntry.action == "refund.approved")).all()) == 1
    page = psca_supervisor.get(f"/console/payments/{reference}").get_data(as_text=True)
    assert "Refunded" in page and "Approve refund" not in page
    assert send_refund(done.id or 0) == "unchanged"  # the job run again changes nothing


def test_a_refund_the_wallet_refuses_reopens_the_case_and_tells_the_citizen(
        runtime: Runtime, run_jobs: Callable[[], None], wallet: RunningSandbox, psca_supervisor: Console,
        session: Session) -> None:
    payer = scenario_number(9)  # sandbox scenario: every refund of this payer's charges fails
    reference = make_refund_case(runtime, run_jobs, wallet, payer)
    psca_supervisor.post(f"/console/payments/{reference}/refund", {}, token_from=f"/console/payments/{reference}")
    run_jobs()

    case = payment(session, reference)
    assert case.status == "failed" and case.refund_due and case.refund_approved_at is None
    assert told(session, payer) == ["refund_due", "refund_approved", "refund_failed"]
    failed = session.exec(select(Notification).where(Notification.kind == "refund_failed")).one()
    assert "could not be sent. The agency will retry or contact you." in failed.body
    assert "Approve refund" in psca_supervisor.get(f"/console/payments/{reference}").get_data(as_text=True)


def test_an_officer_cannot_approve_and_another_agency_cannot_see_the_case(
        runtime: Runtime, run_jobs: Callable[[], None], wallet: RunningSandbox,
        console_as: Callable[[str], Console], session: Session) -> None:
    reference = make_refund_case(runtime, run_jobs, wallet, PAYER)
    dc = console_as("officer@dc.demo")
    assert dc.get(f"/console/payments/{reference}").status_code == 404
    assert dc.post(f"/console/payments/{reference}/refund", {}).status_code == 403
    assert payment(session, reference).refund_approved_at is None


def test_the_sandbox_refund_is_idempotent_on_the_refund_reference(
        runtime: Runtime, run_jobs: Callable[[], None], wallet: RunningSandbox, demo: None) -> None:
    reference = make_refund_case(runtime, run_jobs, wallet, PAYER)
    provider = runtime.wallets.get("sandbox")
    charge = wallet.charge_for(reference)
    request = RefundRequest(refund_reference=f"RF{reference}", merchant_reference=reference, amount=charge.amount,
                            currency=charge.currency)
    first, second = provider.refund(request), provider.refund(request)
    assert first.provider_reference == second.provider_reference and len(wallet.state.refunds) == 1
    with pytest.raises(PermanentProviderError):
        provider.refund(RefundRequest(refund_reference="RF-other", merchant_reference="PNOSUCHREF",
                                      amount=charge.amount, currency=charge.currency))
