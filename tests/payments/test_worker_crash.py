"""A worker killed (SIGKILL) in the middle of a payment job: nothing is lost and nothing is doubled."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Callable

from sqlmodel import Session

from app.bills.models import Bill
from app.queue import PAYMENTS, get_queue
from app.runtime import Runtime
from payments.models import Payment
from payments.reconciliation import reconcile
from payments.service import start_payment
from sandbox_wallet import scenarios
from tests.factories import local_day, make_bill
from tests.fixtures.payments import RunningSandbox, wait_until
from tests.payments.helpers import fresh, notifications, scenario_number


def _start(runtime: Runtime, msisdn: str) -> Payment:
    with runtime.db.transaction() as session:
        bill = make_bill(session)
        return start_payment(wallet="sandbox", today=local_day(), session=session, psid=bill.psid, channel="ussd",
                             msisdn=msisdn)


def _assert_paid_once(session: Session, wallet: RunningSandbox, payment: Payment) -> None:
    settled = fresh(session, payment)
    assert settled.status == "succeeded"
    assert [c.merchant_reference for c in wallet.state.charges.values()] == [payment.reference], "charged once"
    bill = session.get(Bill, payment.bill_id)
    assert bill is not None and bill.status == "paid" and bill.settled_by_payment_id == payment.id
    assert len(notifications(session, "payment_receipt")) == 1


def test_a_worker_killed_while_the_provider_answers_ends_settled_once_after_restart_and_reconcile(
        runtime: Runtime, session: Session, wallet: RunningSandbox,
        start_worker: Callable[[], subprocess.Popen[bytes]]) -> None:
    first = start_worker()
    payment = _start(runtime, scenario_number(6))  # the sandbox takes 5 s to answer the charge request
    wait_until(lambda: wallet.charge_for(payment.reference), timeout=60)  # the job is inside the HTTP call now
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert fresh(session, payment).status == "initiated", "the job died before recording the provider's answer"

    start_worker()
    runtime.settings.PAYMENT_PENDING_POLL_AFTER_SECONDS = 0  # reconciliation asks about it (a minute on, in life)
    summary = reconcile(runtime)
    assert summary.checked >= 1
    wait_until(lambda: fresh(session, payment).status == "succeeded", timeout=90)
    _assert_paid_once(session, wallet, payment)
    assert reconcile(runtime).settled == 0, "a second reconciliation changes nothing"
    _assert_paid_once(session, wallet, payment)


def test_a_charge_job_lost_with_its_worker_is_started_again_by_reconciliation(
        runtime: Runtime, session: Session, wallet: RunningSandbox,
        start_worker: Callable[[], subprocess.Popen[bytes]]) -> None:
    payment = _start(runtime, "+923001112223")
    get_queue(PAYMENTS, runtime.redis).empty()  # the queued job vanished with a crashed worker
    runtime.settings.PAYMENT_PENDING_POLL_AFTER_SECONDS = 0  # and a minute has passed
    assert reconcile(runtime).recharged == 1
    start_worker()
    wait_until(lambda: fresh(session, payment).status == "succeeded", timeout=90)
    _assert_paid_once(session, wallet, payment)


def test_a_worker_killed_during_a_declined_charge_ends_cleanly_failed(
        runtime: Runtime, session: Session, wallet: RunningSandbox,
        start_worker: Callable[[], subprocess.Popen[bytes]]) -> None:
    wallet.config.callback_delay_seconds = 2.0
    first = start_worker()
    payment = _start(runtime, scenario_number(6))  # a slow answer, so the kill lands inside the job
    charge = wait_until(lambda: wallet.charge_for(payment.reference), timeout=60)
    charge.scenario = scenarios.DECLINED  # and this time the payer says no
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    start_worker()
    runtime.settings.PAYMENT_PENDING_POLL_AFTER_SECONDS = 0
    reconcile(runtime)
    wait_until(lambda: fresh(session, payment).status == "failed", timeout=90)
    failed = fresh(session, payment)
    assert failed.failure_reason == "declined" and failed.active_bill_id is None and not failed.refund_due
    assert len(notifications(session, "payment_failed")) == 1
    bill = session.get(Bill, payment.bill_id)
    assert bill is not None and bill.status == "unpaid"
