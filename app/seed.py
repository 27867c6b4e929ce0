"""Demo data for `rabta seed --demo`: idempotent, dates relative to today."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from app.applications.models import (
    APPROVED,
    READY_FOR_COLLECTION,
    SUBMITTED,
    UNDER_REVIEW,
    ServiceRequest,
    StatusEvent,
    TrackingSequence,
)
from app.bills.models import BLOCKED, PAID, UNPAID, Bill
from app.catalogue.models import Agency
from app.catalogue.service import get_service, upsert_agency, upsert_service
from app.citizens.models import Citizen
from app.citizens.service import find_by_msisdn, register_citizen
from app.timeutil import utcnow

AGENCIES: list[dict[str, str]] = [
    {"code": "PSCA", "name_en": "Punjab Safe City Authority", "name_ur": "پنجاب سیف سٹی اتھارٹی",
     "name_ur_latn": "Punjab Safe City Authority"},
    {"code": "ETD", "name_en": "Excise & Taxation", "name_ur": "ایکسائز اینڈ ٹیکسیشن",
     "name_ur_latn": "Excise o Taxation"},
    {"code": "DGIP", "name_en": "Immigration & Passports", "name_ur": "امیگریشن اینڈ پاسپورٹس",
     "name_ur_latn": "Immigration o Passport"},
    {"code": "LGD", "name_en": "Local Government", "name_ur": "لوکل گورنمنٹ", "name_ur_latn": "Maqami Hukoomat"},
    {"code": "DC", "name_en": "District Administration", "name_ur": "ضلعی انتظامیہ", "name_ur_latn": "Zila Intezamia"},
]

CNIC_FIELD = {"cnic": {"label": "CNIC", "pattern": r"\d{5}-?\d{7}-?\d", "required": True}}
SERVICES: list[dict[str, Any]] = [
    {"agency": "DC", "code": "DOM", "name_en": "Domicile certificate", "name_ur": "ڈومیسائل سرٹیفکیٹ",
     "name_ur_latn": "Domicile certificate", "fee_paisa": 20000, "sla_days": 7, "required_fields": CNIC_FIELD},
    {"agency": "DC", "code": "CHR", "name_en": "Character certificate", "name_ur": "کریکٹر سرٹیفکیٹ",
     "name_ur_latn": "Character certificate", "fee_paisa": 50000, "sla_days": 10, "required_fields": CNIC_FIELD},
    {"agency": "DGIP", "code": "PSP", "name_en": "Passport renewal", "name_ur": "پاسپورٹ کی تجدید",
     "name_ur_latn": "Passport tajdeed", "fee_paisa": 450000, "sla_days": 14, "required_fields": CNIC_FIELD},
    {"agency": "DGIP", "code": "PSN", "name_en": "New passport", "name_ur": "نیا پاسپورٹ",
     "name_ur_latn": "Naya passport", "fee_paisa": 450000, "sla_days": 21, "required_fields": CNIC_FIELD},
    {"agency": "LGD", "code": "BRC", "name_en": "Birth certificate", "name_ur": "پیدائشی سرٹیفکیٹ",
     "name_ur_latn": "Paidaish certificate", "fee_paisa": 10000, "sla_days": 5,
     "required_fields": {"child_name": {"label": "Child's name", "required": True},
                         "date_of_birth": {"label": "Date of birth", "pattern": r"\d{4}-\d{2}-\d{2}",
                                           "required": True}}},
    {"agency": "LGD", "code": "MRC", "name_en": "Marriage certificate", "name_ur": "نکاح سرٹیفکیٹ",
     "name_ur_latn": "Nikah certificate", "fee_paisa": 20000, "sla_days": 7, "required_fields": CNIC_FIELD},
    {"agency": "ETD", "code": "VRG", "name_en": "Vehicle registration", "name_ur": "گاڑی کی رجسٹریشن",
     "name_ur_latn": "Gari registration", "fee_paisa": 150000, "sla_days": 10, "required_fields": CNIC_FIELD},
    {"agency": "ETD", "code": "PTA", "name_en": "Property tax assessment", "name_ur": "پراپرٹی ٹیکس تشخیص",
     "name_ur_latn": "Property tax tashkhees", "fee_paisa": 0, "sla_days": 15, "required_fields": CNIC_FIELD},
    {"agency": "PSCA", "code": "ECC", "name_en": "E-challan contest", "name_ur": "ای چالان پر اعتراض",
     "name_ur_latn": "E-challan aitraz", "fee_paisa": 0, "sla_days": 7, "required_fields": CNIC_FIELD},
    {"agency": "PSCA", "code": "VVR", "name_en": "Vehicle verification", "name_ur": "گاڑی کی تصدیق",
     "name_ur_latn": "Gari tasdeeq", "fee_paisa": 0, "sla_days": 3, "required_fields": CNIC_FIELD},
]

CITIZENS: list[dict[str, str]] = [
    {"msisdn": "+923001234567", "name": "Ayesha Khan", "cnic": "35202-1234567-2", "language": "en", "pin": "2468"},
    {"msisdn": "+923331234567", "name": "Bilal Ahmed", "cnic": "61101-7654321-1", "language": "ur", "pin": "1357"},
]
AYESHA, BILAL = "+923001234567", "+923331234567"


def _bills(today: date) -> list[dict[str, Any]]:
    return [
        {"psid": "10000000000000001", "agency": "PSCA", "kind": "challan", "owner": AYESHA,
         "description": "Traffic e-challan", "within": 150000, "after": 200000, "due": today + timedelta(days=10),
         "status": UNPAID},
        {"psid": "10000000000000002", "agency": "ETD", "kind": "tax", "owner": AYESHA,
         "description": "Property tax", "within": 1235000, "after": 1358500, "due": today + timedelta(days=30),
         "status": UNPAID},
        {"psid": "10000000000000003", "agency": "ETD", "kind": "tax", "owner": AYESHA,
         "description": "Token tax", "within": 400000, "after": 400000, "due": today + timedelta(days=25),
         "status": PAID, "paid_days_ago": 5},
        {"psid": "10000000000000004", "agency": "PSCA", "kind": "challan", "owner": BILAL,
         "description": "Traffic e-challan", "within": 100000, "after": 150000, "due": today - timedelta(days=5),
         "status": UNPAID},
        {"psid": "10000000000000005", "agency": "DC", "kind": "fee", "owner": BILAL,
         "description": "Arms licence fee", "within": 50000, "after": 50000, "due": today + timedelta(days=15),
         "status": BLOCKED},
    ]


# (tracking, service, owner, submitted days ago, status path after "submitted" with days ago of each step)
REQUESTS: list[tuple[str, str, str, int, list[tuple[str, int]], dict[str, str]]] = [
    ("DOM-2026-000001", "DOM", AYESHA, 3, [(UNDER_REVIEW, 2)], {"cnic": "35202-1234567-2"}),
    ("PSP-2026-000002", "PSP", AYESHA, 20, [(UNDER_REVIEW, 18), (APPROVED, 6), (READY_FOR_COLLECTION, 1)],
     {"cnic": "35202-1234567-2"}),
    ("BRC-2026-000003", "BRC", BILAL, 1, [], {"child_name": "Sara Ahmed", "date_of_birth": "2026-11-01"}),
]


def seed_demo(*, session: Session, region: str = "PK") -> dict[str, int]:
    """Create the demo agencies, services, citizens, bills and applications; skip what exists."""
    now = utcnow()
    agencies = {spec["code"]: upsert_agency(session=session, **spec) for spec in AGENCIES}
    for spec in SERVICES:
        fields = {k: v for k, v in spec.items() if k != "agency"}
        upsert_service(session=session, agency=agencies[spec["agency"]], **fields)
    citizens: dict[str, Citizen] = {}
    for spec in CITIZENS:
        citizens[spec["msisdn"]] = (find_by_msisdn(session=session, msisdn=spec["msisdn"], region=region)
                                    or register_citizen(session=session, region=region, **spec))
    created_bills = sum(_seed_bill(session, spec, agencies, citizens, now) for spec in _bills(now.date()))
    created_requests = sum(_seed_request(session, spec, citizens, now) for spec in REQUESTS)
    _advance_tracking_sequence(session, now.year, 3)
    session.flush()
    return {"bills": created_bills, "requests": created_requests}


def _seed_bill(session: Session, spec: dict[str, Any], agencies: dict[str, Agency],
               citizens: dict[str, Citizen], now: datetime) -> int:
    if session.exec(select(Bill.id).where(Bill.psid == spec["psid"])).first():
        return 0
    bill = Bill(psid=spec["psid"], agency_id=agencies[spec["agency"]].id or 0, kind=spec["kind"],
                description=spec["description"], amount_within_due=spec["within"], amount_after_due=spec["after"],
                due_date=spec["due"], citizen_id=citizens[spec["owner"]].id, status=spec["status"],
                billing_month=spec["due"].strftime("%y%m"))
    if spec["status"] == PAID:
        bill.paid_at = now - timedelta(days=spec["paid_days_ago"])
        bill.paid_amount = spec["within"]
    session.add(bill)
    return 1


def _seed_request(session: Session, spec: tuple[str, str, str, int, list[tuple[str, int]], dict[str, str]],
                  citizens: dict[str, Citizen], now: datetime) -> int:
    tracking, service_code, owner, submitted_days_ago, path, details = spec
    if session.exec(select(ServiceRequest.id).where(ServiceRequest.tracking_number == tracking)).first():
        return 0
    service = get_service(session=session, code=service_code)
    submitted_at = now - timedelta(days=submitted_days_ago)
    request = ServiceRequest(
        tracking_number=tracking, citizen_id=citizens[owner].id or 0, service_id=service.id or 0,
        agency_id=service.agency_id, status=SUBMITTED, details=details, submitted_at=submitted_at,
        last_changed_at=submitted_at, sla_due_at=submitted_at + timedelta(days=service.sla_days),
    )
    session.add(request)
    session.flush()
    events = [StatusEvent(request_id=request.id or 0, from_status=None, to_status=SUBMITTED,
                          actor="citizen", created_at=submitted_at)]
    previous = SUBMITTED
    for status, days_ago in path:
        when = now - timedelta(days=days_ago)
        events.append(StatusEvent(request_id=request.id or 0, from_status=previous, to_status=status,
                                  actor=f"officer:{service_code.lower()}", created_at=when))
        previous, request.status, request.last_changed_at = status, status, when
    session.add_all(events)
    session.add(request)
    return 1


def _advance_tracking_sequence(session: Session, year: int, at_least: int) -> None:
    row = session.get(TrackingSequence, year)
    if row is None:
        session.add(TrackingSequence(year=year, last_value=at_least))
        return
    session.execute(update(TrackingSequence).where(TrackingSequence.year == year,  # type: ignore[arg-type]
                                                   TrackingSequence.last_value < at_least)  # type: ignore[arg-type]
                    .values(last_value=at_least))
