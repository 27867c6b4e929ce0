from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select

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
    assert first["Agency"] == 5 and first["Citizen"] == 2 and first["Bill"] == 5 and first["ServiceRequest"] == 3


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
    assert request.tracking_number.endswith("-000004")
