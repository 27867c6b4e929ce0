"""Many attempts to pay one bill at once, on both rails: exactly one payment books the money."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlmodel import Session, select

from app.bills.models import Bill
from app.errors import DomainError
from app.queue import PAYMENTS, get_queue
from app.runtime import Runtime
from payments.models import Payment
from payments.providers.base import CHARGE_SUCCEEDED, CallbackEvent
from payments.routes import _record_callback
from payments.service import start_payment
from tests.factories import local_day, make_bill, make_citizen
from tests.fixtures.payments import RunningSandbox, wait_until
from tests.payments.helpers import APPROVING_NUMBER, basic_auth, events, notifications, payment_payload


def _all_at_once(attempts: list[Callable[[], Any]]) -> list[Any]:
    """Run every attempt in its own thread, released together; return results (or exceptions) in order."""
    results: list[Any] = [None] * len(attempts)
    barrier = threading.Barrier(len(attempts))

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = attempts[index]()
        except Exception as exc:  # collected and judged by the test
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _wallet_attempt(runtime: Runtime, psid: str) -> Callable[[], Any]:
    def attempt() -> Any:
        with runtime.db.transaction() as session:
            return start_payment(wallet="sandbox", today=local_day(), session=session, psid=psid, channel="app",
                                 msisdn=APPROVING_NUMBER).reference
    return attempt


def _bank_attempt(app: Flask, psid: str, amount: int, tran_auth_id: str) -> Callable[[], Any]:
    def attempt() -> Any:
        response = app.test_client().post("/billers/1bill/payment", headers=basic_auth(),
                                          json=payment_payload(psid, tran_auth_id, amount))
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json["response_Code"]
    return attempt


def _bill(runtime: Runtime) -> Bill:
    with runtime.db.transaction() as session:
        return make_bill(session, citizen=make_citizen(session, msisdn=APPROVING_NUMBER))


def test_twenty_concurrent_attempts_on_both_rails_pay_the_bill_exactly_once(
        app: Flask, runtime: Runtime, session: Session, wallet: RunningSandbox,
        run_jobs: Callable[[], None]) -> None:
    bill = _bill(runtime)
    attempts = [_wallet_attempt(runtime, bill.psid) if i % 2 == 0
                else _bank_attempt(app, bill.psid, bill.amount_within_due, f"TX{i:04d}") for i in range(20)]
    results = _all_at_once(attempts)

    wallet_results, bank_results = results[0::2], results[1::2]
    started = [r for r in wallet_results if isinstance(r, str)]
    refused = [r for r in wallet_results if not isinstance(r, str)]
    assert len(started) <= 1, "at most one wallet payment in flight"
    assert all(isinstance(r, DomainError) and r.code in ("payment_in_flight", "bill_already_paid")
               for r in refused), refused
    # One payment at a time on every rail: a wallet payment in flight holds the banks off (02) ...
    if started and "00" not in bank_results:
        assert sorted(bank_results) == ["02"] * 10
    else:  # ... else one bank books it and the rest are told it is paid (or, briefly, in flight)
        assert sorted(bank_results)[0] == "00" and set(sorted(bank_results)[1:]) <= {"02", "03"}
    if started:  # the wallet payment was charged or refused; either way it does not book money twice
        run_jobs()
        payment = session.exec(select(Payment).where(Payment.reference == started[0])).one()
        if events(session, payment, "charge_response"):
            wait_until(lambda: events(session, payment, "callback"))
            run_jobs()
    session.rollback()
    payments = session.exec(select(Payment)).all()
    succeeded = [p for p in payments if p.status == "succeeded"]
    assert len(succeeded) == 1
    paid = session.get(Bill, bill.id)
    assert paid is not None and paid.status == "paid" and paid.settled_by_payment_id == succeeded[0].id
    assert len(notifications(session, "payment_receipt")) == 1
    assert not [p for p in payments if p.refund_due], "nobody paid twice"


def test_twenty_concurrent_wallet_starts_open_one_payment(runtime: Runtime, session: Session) -> None:
    bill = _bill(runtime)
    results = _all_at_once([_wallet_attempt(runtime, bill.psid) for _ in range(20)])
    started = [r for r in results if isinstance(r, str)]
    assert len(started) == 1
    assert all(isinstance(r, DomainError) and r.code == "payment_in_flight" for r in results if r not in started)
    assert len(session.exec(select(Payment)).all()) == 1


def test_twenty_banks_replaying_one_tran_auth_id_book_it_once(app: Flask, runtime: Runtime, session: Session) -> None:
    bill = _bill(runtime)
    results = _all_at_once([_bank_attempt(app, bill.psid, bill.amount_within_due, "SAMEAUTH") for _ in range(20)])
    assert sorted(results) == ["00"] + ["03"] * 19
    assert len(session.exec(select(Payment)).all()) == 1
    assert len(notifications(session, "payment_receipt")) == 1


def test_a_confirmed_wallet_payment_settles_while_ten_banks_are_held_off(
        app: Flask, runtime: Runtime, session: Session, wallet: RunningSandbox, run_jobs: Callable[[], None]) -> None:
    from payments.jobs import sync_payment
    from sandbox_wallet import scenarios

    bill = _bill(runtime)
    reference = _wallet_attempt(runtime, bill.psid)()
    run_jobs()
    charge = wallet.charge_for(reference)
    charge.scenario = scenarios.NO_CALLBACK
    wallet.state.decide(charge.charge_id)  # the money is taken; only our status queries will learn it
    payment = session.exec(select(Payment).where(Payment.reference == reference)).one()
    attempts = [(lambda: sync_payment(runtime, payment.id or 0)) if i % 2 == 0
                else _bank_attempt(app, bill.psid, bill.amount_within_due, f"RACE{i}") for i in range(20)]
    results = _all_at_once(attempts)

    assert not [r for r in results if isinstance(r, Exception)], results
    session.rollback()
    succeeded = session.exec(select(Payment).where(Payment.status == "succeeded")).all()
    assert len(succeeded) == 1
    paid = session.get(Bill, bill.id)
    assert paid is not None and paid.status == "paid" and paid.settled_by_payment_id == succeeded[0].id
    assert len(notifications(session, "payment_receipt")) == 1
    assert succeeded[0].id == payment.id, "the wallet payment in flight holds the banks off"
    assert set(results[1::2]) <= {"02", "03"}  # held off while in flight, then told it is paid


def test_a_callback_delivered_ten_times_at_once_is_recorded_and_confirmed_once(
        runtime: Runtime, session: Session) -> None:
    psid = _bill(runtime).psid
    reference = _wallet_attempt(runtime, psid)()
    payment = session.exec(select(Payment).where(Payment.reference == reference)).one()
    event = CallbackEvent(event_id="evt_once", merchant_reference=reference, provider_reference="ch_once",
                          state=CHARGE_SUCCEEDED, amount=payment.amount, currency=payment.currency, reason=None,
                          raw={"event_id": "evt_once", "status": "succeeded"})
    duplicates = _all_at_once([lambda: _record_callback(runtime, "sandbox", event)] * 10)
    assert sorted(duplicates) == [False] + [True] * 9, duplicates
    assert len(events(session, payment, "callback")) == 1
    confirmations = [job for job in get_queue(PAYMENTS, runtime.redis).get_jobs()
                     if job.func_name == "payments.jobs.confirm_payment"]
    assert [job.args for job in confirmations] == [[payment.id]]
