"""What settling a wallet payment costs, from its verified callback to `succeeded` (issue 15)."""

from __future__ import annotations

from sqlmodel import Session

from app.runtime import Runtime
from payments.jobs import charge_payment, confirm_payment
from payments.routes import _record_callback
from payments.service import start_payment
from tests.factories import local_day, make_bill
from tests.fixtures.payments import RunningSandbox, wait_until
from tests.payments.helpers import fresh, notifications, scenario_number
from tests.support import count_statements


def test_a_callback_then_its_confirmation_settle_a_payment_in_a_fixed_number_of_statements(
        runtime: Runtime, session: Session, sandbox: RunningSandbox) -> None:
    with runtime.db.transaction() as tx:
        bill = make_bill(tx)
        payment = start_payment(wallet="sandbox", today=local_day(), session=tx, psid=bill.psid, channel="app",
                                msisdn=scenario_number(3))  # approved; the test delivers the callback itself
    charge_payment(payment.id or 0)
    charge = wait_until(lambda: (c := sandbox.charge_for(payment.reference)) and c.status == "succeeded" and c)
    body = sandbox.state.callback_body(charge)
    event = runtime.wallets.get("sandbox").parse_callback(body=body, headers=_signed(body))

    with count_statements(runtime.db.engine) as callback:
        assert _record_callback(runtime, "sandbox", event) is False
    with count_statements(runtime.db.engine) as confirmation:
        assert confirm_payment(payment.id or 0) == "settled"

    # the payment, the event unless its id was seen before (one INSERT .. ON CONFLICT DO NOTHING); Redis: enqueue
    # the confirmation
    assert (callback.sql, callback.redis) == (2, 1), str(callback)
    # read the payment, ask the provider, lock it, log the answer, move payment and bill, log the move,
    # the bill with its agency for the receipt, the receipt's outbox row unless owed before (one INSERT ..
    # ON CONFLICT DO NOTHING); Redis: kick the drain (SET NX) and enqueue it
    assert (confirmation.sql, confirmation.redis) == (8, 2), str(confirmation)
    assert fresh(session, payment).status == "succeeded"
    assert len(notifications(session, "payment_receipt")) == 1


def _signed(body: bytes) -> dict[str, str]:
    import time

    from payments.providers.sandbox import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
    from tests.fixtures.payments import SANDBOX_SECRET

    stamp = str(int(time.time()))
    return {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: "sha256=" + sign(SANDBOX_SECRET, stamp, body)}
