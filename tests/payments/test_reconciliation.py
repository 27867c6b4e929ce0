"""Polling, expiry, reconciliation and refund cases (money that arrived too late or for a paid bill)."""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from app.bills.models import Bill
from app.queue import PAYMENTS, get_queue
from app.runtime import Runtime
from payments.jobs import expire_stale, poll_pending
from payments.models import Payment
from payments.reconciliation import reconcile
from payments.service import start_payment
from sandbox_wallet import scenarios
from tests.factories import local_day, make_bill, make_citizen
from tests.fixtures.payments import RunningSandbox, wait_until
from tests.payments.helpers import basic_auth, events, fresh, notifications, payment_payload, scenario_number


def _pending(runtime: Runtime, session: Session, msisdn: str, run_jobs: Callable[[], None],
             wallet: RunningSandbox | None = None) -> Payment:
    if wallet is not None:  # the payer takes a moment, so the charge is still pending when we hear back
        wallet.config.callback_delay_seconds = 1.0
    with runtime.db.transaction() as tx:
        citizen = make_citizen(tx, msisdn=msisdn)
        bill = make_bill(tx, citizen=citizen)
        payment = start_payment(wallet="sandbox", today=local_day(), session=tx, psid=bill.psid, channel="ussd",
                                citizen_id=citizen.id)
    run_jobs()
    assert fresh(session, payment).status == "pending"
    return payment


def test_a_provider_that_never_calls_back_is_settled_by_polling(
        runtime: Runtime, session: Session, wallet: RunningSandbox, run_jobs: Callable[[], None]) -> None:
    payment = _pending(runtime, session, scenario_number(3), run_jobs, wallet)
    wait_until(lambda: wallet.charge_for(payment.reference).status == "succeeded")
    runtime.settings.PAYMENT_PENDING_POLL_AFTER_SECONDS = 0
    assert poll_pending() == {"settled": 1}
    assert fresh(session, payment).status == "succeeded"
    assert events(session, payment, "callback") == []
    assert poll_pending() == {}, "safe to run twice"
    assert len(notifications(session, "payment_receipt")) == 1


def test_polling_leaves_a_young_pending_payment_alone(
        runtime: Runtime, session: Session, wallet: RunningSandbox, run_jobs: Callable[[], None]) -> None:
    payment = _pending(runtime, session, scenario_number(5), run_jobs)
    runtime.settings.PAYMENT_PENDING_POLL_AFTER_SECONDS = 3600
    assert poll_pending() == {}
    runtime.settings.PAYMENT_PENDING_POLL_AFTER_SECONDS = 0
    assert poll_pending() == {"pending": 1}
    assert fresh(session, payment).status == "pending"


def test_a_success_after_expiry_ends_as_refund_due(
        app: Flask, runtime: Runtime, session: Session, wallet: RunningSandbox, run_jobs: Callable[[], None]) -> None:
    payment = _pending(runtime, session, scenario_number(5), run_jobs)  # approved only much later
    runtime.settings.PAYMENT_EXPIRE_AFTER_SECONDS = 0
    assert expire_stale() == {"expired": 1}
    expired = fresh(session, payment)
    assert expired.status == "expired" and expired.active_bill_id is None and not expired.refund_due
    assert len(notifications(session, "payment_failed")) == 1
    wallet.state.decide(wallet.charge_for(payment.reference).charge_id)  # the late approval and its callback
    run_jobs()
    late = fresh(session, payment)
    assert late.status == "expired" and late.refund_due and late.receipt_number is None
    bill = session.get(Bill, payment.bill_id)
    assert bill is not None and bill.status == "unpaid"
    [told] = notifications(session, "refund_due")
    assert "refunded" in told.body
    listed = app.test_cli_runner().invoke(args=["payments", "refunds", "--json"])
    case = json.loads(listed.output.strip())
    assert case["reference"] == payment.reference and case["psid"] == bill.psid and case["status"] == "expired"


def test_reconciliation_finds_late_money_whose_callback_was_lost(
        runtime: Runtime, session: Session, wallet: RunningSandbox, run_jobs: Callable[[], None]) -> None:
    payment = _pending(runtime, session, scenario_number(5), run_jobs)
    runtime.settings.PAYMENT_EXPIRE_AFTER_SECONDS = 0
    expire_stale()
    charge = wallet.charge_for(payment.reference)
    charge.scenario = scenarios.NO_CALLBACK
    wallet.state.decide(charge.charge_id)
    summary = reconcile(runtime)
    assert summary.refund_due == 1 and summary.open_refunds == 1
    assert fresh(session, payment).refund_due
    again = reconcile(runtime)
    assert again.refund_due == 0 and again.settled == 0 and again.open_refunds == 1


def test_the_bank_is_held_off_while_a_wallet_payment_is_in_flight_and_late_wallet_money_becomes_a_refund_case(
        app: Flask, runtime: Runtime, session: Session, client: FlaskClient, wallet: RunningSandbox,
        run_jobs: Callable[[], None]) -> None:
    payment = _pending(runtime, session, scenario_number(5), run_jobs)
    bill = session.get(Bill, payment.bill_id)
    assert bill is not None
    body = payment_payload(bill.psid, "AUTH01", bill.amount_within_due)
    held = client.post("/billers/1bill/payment", json=body, headers=basic_auth())
    assert held.json["response_Code"] == "02", "one payment at a time: the bank is told up front"
    runtime.settings.PAYMENT_EXPIRE_AFTER_SECONDS = 0
    assert expire_stale() == {"expired": 1}
    paid = client.post("/billers/1bill/payment", json=body, headers=basic_auth())
    assert paid.json["response_Code"] == "00"
    wallet.state.decide(wallet.charge_for(payment.reference).charge_id)  # the wallet's money comes after all
    run_jobs()
    late = fresh(session, payment)
    assert late.status == "expired" and late.refund_due
    session.rollback()
    bill = session.get(Bill, payment.bill_id)
    assert bill is not None and bill.settled_by_payment_id != payment.id
    assert len(notifications(session, "refund_due")) == 1
    listed = app.test_cli_runner().invoke(args=["payments", "refunds"])
    assert payment.reference in listed.output and bill.psid in listed.output


def test_reconcile_command_prints_a_summary_and_is_safe_to_run_twice(
        app: Flask, runtime: Runtime, session: Session, wallet: RunningSandbox, run_jobs: Callable[[], None]) -> None:
    payment = _pending(runtime, session, scenario_number(3), run_jobs, wallet)
    wait_until(lambda: wallet.charge_for(payment.reference).status == "succeeded")
    runtime.settings.PAYMENT_PENDING_POLL_AFTER_SECONDS = 0  # its callback was lost: nothing more will happen
    runner = app.test_cli_runner()
    first = runner.invoke(args=["payments", "reconcile"])
    assert first.exit_code == 0, first.output
    assert "settled        1" in first.output
    second = json.loads(runner.invoke(args=["payments", "reconcile", "--json"]).output)
    assert second["settled"] == 0 and second["checked"] == 0
    assert fresh(session, payment).status == "succeeded"
    assert len(notifications(session, "payment_receipt")) == 1


def test_reconciliation_flags_a_provider_amount_that_does_not_match(
        runtime: Runtime, session: Session, wallet: RunningSandbox, run_jobs: Callable[[], None]) -> None:
    payment = _pending(runtime, session, scenario_number(3), run_jobs, wallet)
    charge = wallet.charge_for(payment.reference)
    charge.amount += 100
    wait_until(lambda: charge.status == "succeeded")
    runtime.settings.PAYMENT_PENDING_POLL_AFTER_SECONDS = 0
    summary = reconcile(runtime)
    assert summary.mismatches == 1 and summary.settled == 0
    flagged = fresh(session, payment)
    assert flagged.flag == "amount_mismatch" and flagged.status == "pending"


def test_reconciliation_leaves_a_payment_whose_charge_job_is_still_queued_to_that_job(
        runtime: Runtime, session: Session, wallet: RunningSandbox) -> None:
    with runtime.db.transaction() as tx:
        payment = start_payment(wallet="sandbox", today=local_day(), session=tx, psid=make_bill(tx).psid,
                                channel="app", msisdn="+923001112223")
    queue = get_queue(PAYMENTS, runtime.redis)
    assert queue.count == 1, "its charge job is waiting for a worker"
    summary = reconcile(runtime)
    assert (summary.checked, summary.recharged) == (0, 0)
    assert queue.count == 1, "no second charge job behind the first"
    assert wallet.charge_for(payment.reference) is None, "the provider was not asked about it"
    assert fresh(session, payment).status == "initiated"
    runtime.settings.PAYMENT_PENDING_POLL_AFTER_SECONDS = 0  # a minute on, its job has still not run: lost
    assert reconcile(runtime).recharged == 1
    assert queue.count == 2
