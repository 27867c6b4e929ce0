from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from app.bills.models import BLOCKED
from app.errors import (
    BillAlreadyPaid,
    BillBlocked,
    BillNotFound,
    InvalidPsid,
    PaymentInFlight,
    PaymentNotFound,
    ValidationFailed,
)
from app.queue import PAYMENTS, get_queue
from app.runtime import Runtime
from payments.models import INITIATED, Payment
from payments.service import get_payment, list_payments, payment_view, start_payment
from tests.factories import local_day, make_agency, make_bill, make_citizen
from tests.payments.helpers import APPROVING_NUMBER


def _queued_charge_jobs(runtime: Runtime) -> list[str]:
    queue = get_queue(PAYMENTS, runtime.redis)
    return [job.func_name for job in queue.jobs]


def test_start_payment_records_an_initiated_payment_for_what_is_payable_today(runtime: Runtime) -> None:
    with runtime.db.transaction() as session:
        citizen = make_citizen(session, msisdn=APPROVING_NUMBER)
        bill = make_bill(session, citizen=citizen, within=150000, after=200000)
        payment = start_payment(wallet="sandbox", today=local_day(), session=session, psid=bill.psid, channel="ussd",
                                citizen_id=citizen.id)
    assert payment.status == INITIATED
    assert payment.amount == 150000
    assert payment.currency == "PKR"
    assert payment.msisdn == APPROVING_NUMBER
    assert payment.rail == "wallet" and payment.channel == "ussd" and payment.provider == "sandbox"
    assert payment.reference.startswith("P") and len(payment.reference) == 10


def test_an_overdue_bill_is_charged_the_after_due_amount(runtime: Runtime) -> None:
    with runtime.db.transaction() as session:
        bill = make_bill(session, due_date=local_day() - timedelta(days=3), within=100000, after=150000)
        payment = start_payment(wallet="sandbox", today=local_day(), session=session, psid=bill.psid, channel="sms",
                                msisdn="03001112223")
    assert payment.amount == 150000
    assert payment.msisdn == "+923001112223"


def test_the_charge_job_is_enqueued_only_after_the_start_commits(runtime: Runtime) -> None:
    with runtime.db.transaction() as session:
        bill = make_bill(session)
    with pytest.raises(RuntimeError), runtime.db.transaction() as session:
        start_payment(wallet="sandbox", today=local_day(), session=session, psid=bill.psid, channel="app",
                      msisdn=APPROVING_NUMBER)
        assert _queued_charge_jobs(runtime) == []
        raise RuntimeError("the caller's transaction fails later")
    assert _queued_charge_jobs(runtime) == []
    with runtime.db.transaction() as session:
        start_payment(wallet="sandbox", today=local_day(), session=session, psid=bill.psid, channel="app",
                      msisdn=APPROVING_NUMBER)
    assert _queued_charge_jobs(runtime) == ["payments.jobs.charge_payment"]


@pytest.mark.parametrize(("psid", "error"), [("123", InvalidPsid), ("99999999999999999", BillNotFound)])
def test_an_unknown_or_malformed_psid_is_refused(runtime: Runtime, psid: str, error: type[Exception]) -> None:
    with pytest.raises(error), runtime.db.transaction() as session:
        start_payment(wallet="sandbox", today=local_day(), session=session, psid=psid, channel="app",
                      msisdn=APPROVING_NUMBER)


def test_a_paid_or_blocked_bill_cannot_be_paid(runtime: Runtime, demo: None) -> None:
    with pytest.raises(BillAlreadyPaid), runtime.db.transaction() as session:
        start_payment(wallet="sandbox", today=local_day(), session=session, psid="10000000000000003", channel="app",
                      msisdn=APPROVING_NUMBER)
    with pytest.raises(BillBlocked), runtime.db.transaction() as session:
        start_payment(wallet="sandbox", today=local_day(), session=session, psid="10000000000000005", channel="app",
                      msisdn=APPROVING_NUMBER)


def test_a_bill_has_at_most_one_payment_in_flight(runtime: Runtime) -> None:
    with runtime.db.transaction() as session:
        bill = make_bill(session)
        start_payment(wallet="sandbox", today=local_day(), session=session, psid=bill.psid, channel="app",
                      msisdn=APPROVING_NUMBER)
    with pytest.raises(PaymentInFlight), runtime.db.transaction() as session:
        start_payment(wallet="sandbox", today=local_day(), session=session, psid=bill.psid, channel="ussd",
                      msisdn="03211234567")


def test_a_wallet_payment_needs_a_payer_number_and_a_known_channel(runtime: Runtime) -> None:
    with runtime.db.transaction() as session:
        bill = make_bill(session)
    with pytest.raises(ValidationFailed), runtime.db.transaction() as session:
        start_payment(wallet="sandbox", today=local_day(), session=session, psid=bill.psid, channel="app")
    with pytest.raises(ValidationFailed), runtime.db.transaction() as session:
        start_payment(wallet="sandbox", today=local_day(), session=session, psid=bill.psid, channel="fax",
                      msisdn=APPROVING_NUMBER)


def test_get_payment_finds_by_reference_and_names_a_missing_one(runtime: Runtime, session: Session) -> None:
    with runtime.db.transaction() as tx:
        bill = make_bill(tx)
        payment = start_payment(wallet="sandbox", today=local_day(), session=tx, psid=bill.psid, channel="app",
                                msisdn=APPROVING_NUMBER)
    assert get_payment(session=session, reference=payment.reference.lower()).id == payment.id
    with pytest.raises(PaymentNotFound):
        get_payment(session=session, reference="PNOSUCH123")


def test_list_payments_is_newest_first_and_pages_backwards(runtime: Runtime, session: Session) -> None:
    with runtime.db.transaction() as tx:
        citizen = make_citizen(tx, msisdn=APPROVING_NUMBER)
        other_agency = make_agency(tx)
        bills = [make_bill(tx, citizen=citizen) for _ in range(3)] + [make_bill(tx, agency=other_agency)]
        made = [start_payment(wallet="sandbox", today=local_day(), session=tx, psid=b.psid, channel="app",
                              citizen_id=citizen.id) for b in bills]
    mine = list_payments(session=session, citizen_id=citizen.id)
    assert [p.id for p in mine] == [p.id for p in reversed(made)]
    older = list_payments(session=session, citizen_id=citizen.id, before_id=made[2].id, limit=1)
    assert [p.id for p in older] == [made[1].id]
    assert [p.id for p in list_payments(session=session, agency_id=other_agency.id)] == [made[3].id]


@pytest.mark.parametrize("language", ["en", "ur", "ur-Latn"])
def test_payment_view_renders_a_short_localised_line(runtime: Runtime, session: Session, language: str) -> None:
    with runtime.db.transaction() as tx:
        agency = make_agency(tx, code="PSCA")
        bill = make_bill(tx, agency=agency, within=1235000, after=1358500)
        payment = start_payment(wallet="sandbox", today=local_day(), session=tx, psid=bill.psid, channel="ussd",
                                msisdn=APPROVING_NUMBER)
    view = payment_view(session=session, payment=payment, language=language)
    assert view.psid == bill.psid and view.agency_code == "PSCA" and view.amount == 1235000
    assert view.status == "initiated" and view.receipt_number is None and not view.refund_due
    line = view.render(language)
    assert payment.reference in line and bill.psid in line and "12,350" in line
    if language != "ur":
        assert len(line) <= 160


def test_payment_view_explains_a_failure_in_the_citizens_language(runtime: Runtime, session: Session) -> None:
    with runtime.db.transaction() as tx:
        bill = make_bill(tx)
        payment = start_payment(wallet="sandbox", today=local_day(), session=tx, psid=bill.psid, channel="ussd",
                                msisdn=APPROVING_NUMBER)
        payment.status, payment.failure_reason, payment.active_bill_id = "failed", "insufficient_funds", None
        tx.add(payment)
    stored = session.get(Payment, payment.id)
    assert stored is not None
    view = payment_view(session=session, payment=stored, language="ur-Latn")
    assert view.status_label == "Nakam"
    assert view.failure_reason == "Wallet mein balance kam hai."
    assert "balance kam" in view.render("ur-Latn")


def test_a_bill_blocked_after_being_found_is_still_refused(runtime: Runtime) -> None:
    with runtime.db.transaction() as session:
        bill = make_bill(session)
        bill.status = BLOCKED
        session.add(bill)
    with pytest.raises(BillBlocked), runtime.db.transaction() as session:
        start_payment(wallet="sandbox", today=local_day(), session=session, psid=bill.psid, channel="app",
                      msisdn=APPROVING_NUMBER)
