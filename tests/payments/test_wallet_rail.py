"""The wallet rail end to end: our charge job, the sandbox over real HTTP, its signed callback, our confirmation."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from app.bills.models import Bill
from app.runtime import Runtime
from payments.models import Payment
from payments.service import start_payment
from tests.factories import local_day, make_bill, make_citizen
from tests.fixtures.payments import RunningSandbox, wait_until
from tests.payments.helpers import APPROVING_NUMBER, events, fresh, notifications, scenario_number


def _start(runtime: Runtime, msisdn: str, within: int = 150000, citizen: bool = True) -> Payment:
    with runtime.db.transaction() as session:
        owner = make_citizen(session, msisdn=msisdn) if citizen else None
        bill = make_bill(session, citizen=owner, within=within)
        return start_payment(wallet="sandbox", today=local_day(), session=session, psid=bill.psid, channel="app",
                             msisdn=msisdn,
                             citizen_id=owner.id if owner else None)


def _callback_seen(session: Session, payment: Payment) -> Callable[[], bool]:
    return lambda: bool(events(session, payment, "callback"))


def test_an_approved_charge_settles_the_bill_and_queues_a_receipt(
        runtime: Runtime, session: Session, wallet: RunningSandbox, run_jobs: Callable[[], None]) -> None:
    payment = _start(runtime, APPROVING_NUMBER)
    run_jobs()  # the charge job asks the sandbox, which calls us back
    wait_until(_callback_seen(session, payment))
    run_jobs()  # the confirmation job asks the sandbox's status endpoint, then settles
    settled = fresh(session, payment)
    assert settled.status == "succeeded"
    assert settled.receipt_number == f"RB{settled.id:010d}"
    assert settled.provider_reference == wallet.charge_for(payment.reference).charge_id
    bill = session.get(Bill, settled.bill_id)
    assert bill is not None and bill.status == "paid" and bill.settled_by_payment_id == settled.id
    assert bill.paid_amount == 150000
    receipts = notifications(session, "payment_receipt")
    assert len(receipts) == 1 and settled.receipt_number in receipts[0].body
    assert receipts[0].msisdn == APPROVING_NUMBER
    assert [e.kind for e in events(session, payment, "status_query")], "settled only after asking the provider"


def test_a_declined_charge_fails_with_a_reason_and_frees_the_bill(
        runtime: Runtime, session: Session, wallet: RunningSandbox, run_jobs: Callable[[], None]) -> None:
    payment = _start(runtime, scenario_number(1))
    run_jobs()
    wait_until(_callback_seen(session, payment))
    run_jobs()
    failed = fresh(session, payment)
    assert failed.status == "failed" and failed.failure_reason == "declined"
    assert failed.active_bill_id is None
    bill = session.get(Bill, failed.bill_id)
    assert bill is not None and bill.status == "unpaid"
    [message] = notifications(session, "payment_failed")
    assert "declined" in message.body
    with runtime.db.transaction() as tx:  # the citizen may simply try again
        again = start_payment(wallet="sandbox", today=local_day(), session=tx, psid=bill.psid, channel="app",
                              msisdn=APPROVING_NUMBER)
    assert again.status == "initiated"


def test_insufficient_funds_is_told_to_the_citizen(
        runtime: Runtime, session: Session, wallet: RunningSandbox, run_jobs: Callable[[], None]) -> None:
    payment = _start(runtime, scenario_number(2))
    run_jobs()
    wait_until(_callback_seen(session, payment))
    run_jobs()
    assert fresh(session, payment).failure_reason == "insufficient_funds"
    [message] = notifications(session, "payment_failed")
    assert "balance" in message.body


def test_a_permanent_provider_refusal_fails_the_payment_without_retrying(
        runtime: Runtime, session: Session, wallet: RunningSandbox, run_jobs: Callable[[], None]) -> None:
    payment = _start(runtime, scenario_number(8))
    run_jobs()
    failed = fresh(session, payment)
    assert failed.status == "failed" and failed.failure_reason == "invalid_account"
    assert wallet.charge_for(payment.reference) is None
    assert len(notifications(session, "payment_failed")) == 1


def test_the_amount_can_pick_the_scenario_too(
        runtime: Runtime, session: Session, wallet: RunningSandbox, run_jobs: Callable[[], None]) -> None:
    payment = _start(runtime, APPROVING_NUMBER, within=150001)  # paisa .01: declined
    run_jobs()
    wait_until(_callback_seen(session, payment))
    run_jobs()
    assert fresh(session, payment).failure_reason == "declined"


def test_a_charge_for_a_bill_settled_meanwhile_is_never_sent(
        runtime: Runtime, session: Session, wallet: RunningSandbox, run_jobs: Callable[[], None]) -> None:
    payment = _start(runtime, APPROVING_NUMBER)
    with runtime.db.transaction() as tx:
        bill = tx.get(Bill, payment.bill_id)
        assert bill is not None
        bill.status = "paid"
        tx.add(bill)
    run_jobs()
    failed = fresh(session, payment)
    assert failed.status == "failed" and failed.failure_reason == "bill_already_paid" and not failed.refund_due
    assert wallet.charge_for(payment.reference) is None


def test_transient_provider_errors_are_retried_with_backoff_by_a_real_worker(
        runtime: Runtime, session: Session, wallet: RunningSandbox,
        start_worker: Callable[[], object]) -> None:
    payment = _start(runtime, scenario_number(7))  # the sandbox answers 503 twice first
    start_worker()
    wait_until(lambda: fresh(session, payment).status == "succeeded", timeout=60)
    assert len(events(session, payment, "charge_request")) == 3
    assert wallet.state.create_attempts[payment.reference] == 3


def test_a_slow_provider_still_ends_in_a_settled_payment(
        runtime: Runtime, session: Session, wallet: RunningSandbox, run_jobs: Callable[[], None]) -> None:
    payment = _start(runtime, scenario_number(6))  # every sandbox answer takes 5 s
    run_jobs()
    wait_until(_callback_seen(session, payment))
    run_jobs()
    assert fresh(session, payment).status == "succeeded"
