from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from app.applications.models import ServiceRequest, StatusEvent
from app.applications.service import lookup_status, submit_request
from app.bills.models import Bill
from app.bills.service import inquire_bill
from app.catalogue.models import Agency, Service
from app.catalogue.service import get_service
from app.citizens.models import Citizen
from app.citizens.service import attempt_pin, get_by_msisdn
from app.runtime import Runtime
from app.seed import seed_demo
from app.timeutil import today
from tests.factories import EVERYONE, local_day

WALLET = {"wallet": "sandbox", "today": local_day()}


def _counts(runtime: Runtime) -> dict[str, int]:
    with runtime.db.transaction() as s:
        return {model.__name__: s.exec(select(func.count()).select_from(model)).one()
                for model in (Agency, Service, Citizen, Bill, ServiceRequest, StatusEvent)}


def test_seeding_twice_creates_nothing_new(runtime: Runtime) -> None:
    with runtime.db.transaction() as s:
        seed_demo(session=s)
    first = _counts(runtime)
    with runtime.db.transaction() as s:
        assert seed_demo(session=s) == {"bills": 0, "requests": 0}
    assert _counts(runtime) == first
    assert first["Agency"] == 5 and first["Citizen"] == 2 and first["Bill"] == 9 and first["ServiceRequest"] == 3


def test_the_demo_citizens_have_their_numbers_cnics_languages_and_pins(runtime: Runtime, demo: None) -> None:
    with runtime.db.transaction() as s:
        ayesha = get_by_msisdn(session=s, msisdn="+923001234567")
        bilal = get_by_msisdn(session=s, msisdn="03331234567")
        assert (ayesha.name, ayesha.cnic, ayesha.language) == ("Ayesha Khan", "3520212345672", "en")
        assert (bilal.name, bilal.cnic, bilal.language) == ("Bilal Ahmed", "6110176543211", "ur")
        assert attempt_pin(session=s, citizen_id=ayesha.id or 0, pin="2468").ok
        assert attempt_pin(session=s, citizen_id=bilal.id or 0, pin="1357").ok


def test_the_demo_bills_have_the_documented_amounts_and_states(runtime: Runtime, demo: None) -> None:
    with runtime.db.transaction() as s:
        b1 = inquire_bill(session=s, psid="10000000000000001", on=local_day())
        assert (b1.agency_code, b1.kind, b1.status, b1.payable_now) == ("PSCA", "challan", "unpaid", 150000)
        assert b1.amount_after_due == 200000 and b1.due_date == today() + timedelta(days=10)
        b2 = inquire_bill(session=s, psid="10000000000000002", on=local_day())
        assert (b2.agency_code, b2.payable_now, b2.amount_after_due) == ("ETD", 1235000, 1358500)
        assert b2.due_date == today() + timedelta(days=30)
        b3 = inquire_bill(session=s, psid="10000000000000003", on=local_day())
        assert (b3.status, b3.amount_within_due) == ("paid", 400000)
        assert s.exec(select(Bill).where(Bill.psid == b3.psid)).one().paid_at.date() == today() - timedelta(days=5)
        b4 = inquire_bill(session=s, psid="10000000000000004", on=local_day())
        assert (b4.agency_code, b4.status, b4.payable_now, b4.is_overdue) == ("PSCA", "unpaid", 150000, True)
        b5 = inquire_bill(session=s, psid="10000000000000005", on=local_day())
        assert (b5.agency_code, b5.kind, b5.status, b5.amount_within_due) == ("DC", "fee", "blocked", 50000)


def test_the_demo_applications_have_the_documented_states(runtime: Runtime, demo: None) -> None:
    with runtime.db.transaction() as s:
        dom = lookup_status(viewer=EVERYONE, session=s, tracking_number="DOM-2026-000001", language="en")
        assert (dom.agency_code, dom.status) == ("DC", "under_review")
        request = s.exec(select(ServiceRequest).where(ServiceRequest.tracking_number == "DOM-2026-000001")).one()
        assert request.submitted_at.date() == today() - timedelta(days=3)
        assert request.sla_due_at - request.submitted_at == timedelta(days=7)
        assert lookup_status(viewer=EVERYONE, session=s, tracking_number="PSP-2026-000002", language="en").status == \
            "ready_for_collection"
        assert lookup_status(viewer=EVERYONE, session=s, tracking_number="BRC-2026-000003",
                             language="en").status == "submitted"


def test_new_applications_after_the_seed_continue_the_sequence(runtime: Runtime, demo: None) -> None:
    with runtime.db.transaction() as s:
        citizen = get_by_msisdn(session=s, msisdn="+923001234567")
        request = submit_request(session=s, citizen=citizen, service=get_service(session=s, code="CHR"),
                                 details={"cnic": "35202-1234567-2"})
    assert request.tracking_number.split("-")[2] == "000004"  # then its random check part


def _play_with_the_demo(s: Session) -> None:
    """What a first hour does to the demo data: pays, settles, blocks, moves applications, locks a PIN."""
    from app.applications.service import transition
    from app.bills.service import block_bill
    from payments.service import start_payment
    from payments.settlement import settle_payment

    for psid in ("10000000000000001", "10000000000000006"):
        payment = start_payment(**WALLET, session=s, psid=psid, channel="ussd", msisdn="+923001234567")
        settle_payment(s, payment)
    start_payment(**WALLET, session=s, psid="10000000000000007", channel="app", msisdn="+923001234567")  # in flight
    block_bill(session=s, psid="10000000000000009")
    transition(viewer=EVERYONE, session=s, tracking_number="DOM-2026-000001", to_status="approved",
               actor="officer:test")
    ayesha = get_by_msisdn(session=s, msisdn="+923001234567")
    for _ in range(3):
        attempt_pin(session=s, citizen_id=ayesha.id or 0, pin="0000")
    ayesha.language, ayesha.sms_opt_out = "ur", True


def test_reset_puts_every_demo_row_back_and_leaves_other_data_alone(runtime: Runtime, demo: None) -> None:
    from app.seed import reset_demo
    from payments.models import Payment
    from payments.service import start_payment
    from tests.factories import make_bill

    with runtime.db.transaction() as s:
        _play_with_the_demo(s)
        other_psid = make_bill(s).psid
        start_payment(**WALLET, session=s, psid=other_psid, channel="app", msisdn="+923451112223")
    with runtime.db.transaction() as s:
        assert reset_demo(session=s)["payments_removed"] == 3

    with runtime.db.transaction() as s:
        for psid in ("10000000000000001", "10000000000000006", "10000000000000007", "10000000000000009"):
            assert inquire_bill(session=s, psid=psid, on=local_day()).status == "unpaid"
        assert inquire_bill(session=s, psid="10000000000000003", on=local_day()).status == "paid"
        assert inquire_bill(session=s, psid="10000000000000005", on=local_day()).status == "blocked"
        bill = s.exec(select(Bill).where(Bill.psid == "10000000000000001")).one()
        assert (bill.paid_at, bill.paid_amount, bill.settled_by_payment_id) == (None, None, None)
        payments = list(s.exec(select(Payment)))
        assert [p.bill_id for p in payments] == [s.exec(select(Bill.id).where(Bill.psid == other_psid)).one()]
        dom = lookup_status(viewer=EVERYONE, session=s, tracking_number="DOM-2026-000001", language="en")
        assert dom.status == "under_review"
        request = s.exec(select(ServiceRequest).where(ServiceRequest.tracking_number == "DOM-2026-000001")).one()
        events = s.exec(select(StatusEvent).where(StatusEvent.request_id == request.id)).all()
        assert [e.to_status for e in sorted(events, key=lambda e: e.created_at)] == ["submitted", "under_review"]
        ayesha = get_by_msisdn(session=s, msisdn="+923001234567")
        assert (ayesha.language, ayesha.sms_opt_out, ayesha.pin_locked_until, ayesha.pin_failed_attempts) == \
            ("en", False, None, 0)
        assert attempt_pin(session=s, citizen_id=ayesha.id or 0, pin="2468").ok
    counts = _counts(runtime)
    assert counts["Bill"] == 10 and counts["ServiceRequest"] == 3 and counts["Citizen"] == 2


def test_a_demo_bill_paid_again_after_a_reset_gets_its_receipt(runtime: Runtime, demo: None) -> None:
    from app.notifications.models import Notification
    from app.seed import reset_demo
    from payments.service import start_payment
    from payments.settlement import settle_payment

    for _ in range(2):
        with runtime.db.transaction() as s:
            settle_payment(s, start_payment(**WALLET, session=s, psid="10000000000000001", channel="ussd",
                                            msisdn="+923001234567"))
        with runtime.db.transaction() as s:
            reset_demo(session=s)
    with runtime.db.transaction() as s:
        receipts = s.exec(select(Notification).where(Notification.kind == "payment_receipt")).all()
    assert len(receipts) == 2, "a payment id handed out again still gets its receipt"
