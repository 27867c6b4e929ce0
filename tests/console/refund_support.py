"""A refund case made the way one arises: the citizen's wallet paid a bill that another rail settled first."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import update
from sqlmodel import col

from app.bills.models import PAID, Bill
from app.runtime import Runtime
from app.timeutil import utcnow
from payments.jobs import sync_payment
from payments.service import start_payment
from payments.settlement import REFUND_DUE
from tests.fixtures.payments import RunningSandbox, wait_until

PSCA_BILL = "10000000000000001"


def make_refund_case(runtime: Runtime, run_jobs: Callable[[], None], wallet: RunningSandbox, msisdn: str,
                     psid: str = PSCA_BILL) -> str:
    with runtime.db.transaction() as session:
        payment = start_payment(session=session, psid=psid, channel="app", wallet="sandbox", today=runtime.today(),
                                msisdn=msisdn)
        reference, payment_id = payment.reference, payment.id or 0
    run_jobs()  # the charge job asks the sandbox wallet
    wait_until(lambda: (charge := wallet.charge_for(reference)) is not None and charge.status == "succeeded")
    with runtime.db.transaction() as session:  # meanwhile the bank rail settled the bill
        session.execute(update(Bill).where(col(Bill.psid) == psid)
                        .values(status=PAID, paid_at=utcnow(), paid_amount=1))
    assert sync_payment(runtime, payment_id) in (REFUND_DUE, "unchanged")
    return reference
