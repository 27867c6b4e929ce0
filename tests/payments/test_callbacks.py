"""Our callback endpoint: signed, deduped, and never trusted without asking the provider."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import requests
from sqlmodel import Session

from app.bills.models import Bill
from app.runtime import Runtime
from payments.jobs import sync_payment
from payments.models import Payment
from payments.providers.sandbox import sign
from payments.service import start_payment
from payments.settlement import UNCHANGED
from tests.factories import local_day, make_bill
from tests.fixtures.payments import SANDBOX_SECRET, RunningSandbox, wait_until
from tests.payments.helpers import events, fresh, notifications, scenario_number


def _start(runtime: Runtime, msisdn: str) -> Payment:
    with runtime.db.transaction() as session:
        bill = make_bill(session)
        return start_payment(wallet="sandbox", today=local_day(), session=session, psid=bill.psid, channel="app",
                             msisdn=msisdn)


def _post(url: str, body: dict[str, object] | bytes, secret: str | None = SANDBOX_SECRET,
          timestamp: int | None = None) -> requests.Response:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        headers.update({"X-Sandbox-Timestamp": stamp, "X-Sandbox-Signature": "sha256=" + sign(secret, stamp, data)})
    return requests.post(f"{url}/payments/callbacks/sandbox", data=data, headers=headers, timeout=10)


def _event(payment: Payment, charge_id: str, status: str = "succeeded", amount: int | None = None) -> dict[str, object]:
    return {"event_id": f"evt_forged_{charge_id}", "type": "charge.updated", "charge_id": charge_id,
            "merchant_reference": payment.reference, "amount": payment.amount if amount is None else amount,
            "currency": "PKR", "status": status, "reason": None}


def test_a_callback_delivered_five_times_settles_once(
        runtime: Runtime, session: Session, wallet: RunningSandbox, live_app: str,
        run_jobs: Callable[[], None]) -> None:
    payment = _start(runtime, scenario_number(4))  # the sandbox sends its callback three times
    run_jobs()
    charge = wait_until(lambda: wallet.charge_for(payment.reference))
    wait_until(lambda: charge.status != "pending")
    for _ in range(2):  # and the provider's "resend" twice more
        resent = requests.post(f"{wallet.url}/v1/charges/{charge.charge_id}/callbacks",
                               headers=_signed_headers(f"/v1/charges/{charge.charge_id}/callbacks"), timeout=10)
        assert resent.json() == {"delivered_status": 200}
    run_jobs()
    run_jobs()
    settled = fresh(session, payment)
    assert settled.status == "succeeded"
    assert len(events(session, payment, "callback")) == 1
    assert len([e for e in events(session, payment, "state_change") if e.payload["to"] == "succeeded"]) == 1
    assert len(notifications(session, "payment_receipt")) == 1
    duplicate = _post(live_app, json.loads(wallet.state.callback_body(charge)))
    assert duplicate.status_code == 200 and duplicate.json() == {"received": True, "duplicate": True}


def _signed_headers(path: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    return {"X-Sandbox-Timestamp": stamp, "X-Sandbox-Signature": sign(SANDBOX_SECRET, stamp, f"POST.{path}.".encode())}


def test_forged_unsigned_and_stale_callbacks_are_refused_and_change_nothing(
        runtime: Runtime, session: Session, wallet: RunningSandbox, live_app: str,
        run_jobs: Callable[[], None]) -> None:
    payment = _start(runtime, scenario_number(5))  # the sandbox holds it pending for a long time
    run_jobs()
    charge = wallet.charge_for(payment.reference)
    body = _event(payment, charge.charge_id)
    assert _post(live_app, body, secret="not-the-secret").status_code == 401
    assert _post(live_app, body, secret=None).status_code == 401
    assert _post(live_app, body, timestamp=int(time.time()) - 3600).status_code == 401
    response = _post(live_app, body, secret="not-the-secret")
    assert response.headers["Content-Type"] == "application/problem+json"
    run_jobs()
    unchanged = fresh(session, payment)
    assert unchanged.status == "pending"
    assert events(session, payment, "callback") == []
    bill = session.get(Bill, payment.bill_id)
    assert bill is not None and bill.status == "unpaid"


def test_a_signed_callback_is_not_believed_until_the_provider_confirms(
        runtime: Runtime, session: Session, wallet: RunningSandbox, live_app: str,
        run_jobs: Callable[[], None]) -> None:
    payment = _start(runtime, scenario_number(5))  # really still pending at the provider
    run_jobs()
    charge = wallet.charge_for(payment.reference)
    assert _post(live_app, _event(payment, charge.charge_id)).status_code == 200
    run_jobs()
    assert fresh(session, payment).status == "pending"
    assert notifications(session, "payment_receipt") == []


def test_a_callback_with_the_wrong_amount_is_recorded_but_never_settles(
        runtime: Runtime, session: Session, wallet: RunningSandbox, live_app: str,
        run_jobs: Callable[[], None]) -> None:
    payment = _start(runtime, scenario_number(5))
    run_jobs()
    charge = wallet.charge_for(payment.reference)
    assert _post(live_app, _event(payment, charge.charge_id, amount=100)).status_code == 200
    run_jobs()
    assert fresh(session, payment).status == "pending"
    [recorded] = events(session, payment, "callback")
    assert recorded.payload["mismatch"]["expected_amount"] == payment.amount


def test_malformed_callbacks_answer_4xx_never_500(wallet: RunningSandbox, live_app: str) -> None:
    assert _post(live_app, b"{not json").status_code == 400
    assert _post(live_app, {"event_id": "e1", "status": "succeeded"}).status_code == 400
    assert _post(live_app, {"event_id": "e1", "charge_id": "c", "merchant_reference": "P", "amount": "12",
                            "currency": "PKR", "status": "succeeded"}).status_code == 400
    assert _post(live_app, {"event_id": "e2", "charge_id": "c", "merchant_reference": "P", "amount": 1,
                            "currency": "PKR", "status": "exploded"}).status_code == 400
    assert requests.post(f"{live_app}/payments/callbacks/nosuchwallet", data=b"{}", timeout=10).status_code == 404


def test_a_callback_for_an_unknown_reference_is_acknowledged_and_logged(
        session: Session, wallet: RunningSandbox, live_app: str) -> None:
    response = _post(live_app, {"event_id": "e9", "charge_id": "c9", "merchant_reference": "PUNKNOWN99",
                                "amount": 100, "currency": "PKR", "status": "succeeded", "reason": None})
    assert response.status_code == 200
    assert fresh_events_without_payment(session) == 1


def fresh_events_without_payment(session: Session) -> int:
    from sqlmodel import select

    from payments.models import PaymentEvent

    session.rollback()
    return len(list(session.exec(select(PaymentEvent).where(PaymentEvent.payment_id == None))))  # noqa: E711


def test_a_declined_callback_is_confirmed_before_failing(
        runtime: Runtime, session: Session, wallet: RunningSandbox, run_jobs: Callable[[], None]) -> None:
    payment = _start(runtime, scenario_number(1))
    run_jobs()
    wait_until(lambda: events(session, payment, "callback"))
    run_jobs()
    log = events(session, payment)
    asked = next(i for i, e in enumerate(log) if e.kind == "status_query")
    failed = next(i for i, e in enumerate(log) if e.kind == "state_change" and e.payload["to"] == "failed")
    assert asked < failed
    assert fresh(session, payment).status == "failed"


def test_a_confirmation_that_finds_the_payment_already_settled_asks_the_provider_nothing(
        runtime: Runtime, session: Session, wallet: RunningSandbox, run_jobs: Callable[[], None]) -> None:
    payment = _start(runtime, "+923001112223")  # the sandbox approves this number
    run_jobs()
    wait_until(lambda: run_jobs() or fresh(session, payment).status == "succeeded")
    asked = len(events(session, payment, "status_query"))
    # A callback that raced the charge job's own answer: its confirmation runs after the payment settled.
    assert sync_payment(runtime, payment.id or 0) == UNCHANGED
    assert len(events(session, payment, "status_query")) == asked, "the provider was not asked again"
    assert fresh(session, payment).status == "succeeded"
    assert len(notifications(session, "payment_receipt")) == 1
