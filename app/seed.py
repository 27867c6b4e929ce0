"""Demo data for `rabta seed --demo`: idempotent, dates relative to today.

`rabta seed --demo --reset` puts every demo row back to its documented state (bills,
their payments, applications and their history, the citizens' PINs and lockouts)
and leaves every other row alone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from redis import Redis
from sqlalchemy import delete, update
from sqlmodel import Session, col, select

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
from app.citizens.identity import normalise_cnic
from app.citizens.models import Citizen
from app.citizens.pins import hash_pin
from app.citizens.service import find_by_msisdn, register_citizen, set_sms_reminders
from app.notifications.models import Notification
from app.officers.service import create_officer, demo_officer_reset, officer_exists
from app.timeutil import utcnow
from payments.models import Payment, PaymentEvent

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

# Console accounts (no TOTP in development); README "Agency console" lists them.
DEMO_PASSWORD = "rabta-demo-2026"
OFFICERS: list[tuple[str, str, str | None]] = [
    ("officer@dc.demo", "officer", "DC"),
    ("supervisor@psca.demo", "supervisor", "PSCA"),
    ("admin@rabta.demo", "admin", None),
]


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
        # One bill per README walkthrough, so the walkthroughs run in any order. They are e-challans issued
        # to a vehicle, not to a registered citizen: anyone holding the PSID pays them, and they stay out of
        # Ayesha's and Bilal's own bill lists.
        {"psid": "10000000000000006", "agency": "PSCA", "kind": "challan", "owner": None,
         "description": "Traffic e-challan", "within": 75000, "after": 100000,
         "due": today + timedelta(days=12), "status": UNPAID},
        {"psid": "10000000000000007", "agency": "PSCA", "kind": "challan", "owner": None,
         "description": "Traffic e-challan", "within": 120000, "after": 160000,
         "due": today + timedelta(days=12), "status": UNPAID},
        {"psid": "10000000000000008", "agency": "ETD", "kind": "tax", "owner": None,
         "description": "Vehicle token tax", "within": 250000, "after": 275000,
         "due": today + timedelta(days=20), "status": UNPAID},
        {"psid": "10000000000000009", "agency": "PSCA", "kind": "challan", "owner": None,
         "description": "Traffic e-challan", "within": 50000, "after": 70000,
         "due": today + timedelta(days=14), "status": UNPAID},
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
    for email, role, agency_code in OFFICERS:
        if not officer_exists(session=session, email=email):
            create_officer(session=session, email=email, role=role, agency_code=agency_code, password=DEMO_PASSWORD)
    session.flush()
    return {"bills": created_bills, "requests": created_requests}


def _seed_bill(session: Session, spec: dict[str, Any], agencies: dict[str, Agency],
               citizens: dict[str, Citizen], now: datetime) -> int:
    if session.exec(select(Bill.id).where(Bill.psid == spec["psid"])).first():
        return 0
    session.add(Bill(psid=spec["psid"], **_documented_fields(spec, agencies, citizens, now)))
    return 1


def _documented_fields(spec: dict[str, Any], agencies: dict[str, Agency], citizens: dict[str, Citizen],
                       now: datetime) -> dict[str, Any]:
    owner = citizens[spec["owner"]].id if spec["owner"] else None
    return {
        "agency_id": agencies[spec["agency"]].id or 0, "kind": spec["kind"], "description": spec["description"],
        "amount_within_due": spec["within"], "amount_after_due": spec["after"], "currency": "PKR",
        "due_date": spec["due"], "citizen_id": owner, "status": spec["status"],
        "billing_month": spec["due"].strftime("%y%m"), "settled_by_payment_id": None,
        "paid_at": now - timedelta(days=spec["paid_days_ago"]) if spec["status"] == PAID else None,
        "paid_amount": spec["within"] if spec["status"] == PAID else None,
    }


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


def reset_demo(*, session: Session, region: str = "PK") -> dict[str, int]:
    """Put every demo row back as documented (creating what is missing); other rows are not touched."""
    created = seed_demo(session=session, region=region)
    now = utcnow()
    agencies = {a.code: a for a in session.exec(select(Agency))}
    citizens = {spec["msisdn"]: _reset_citizen(session, spec, region) for spec in CITIZENS}
    removed = 0
    for spec in _bills(now.date()):
        bill = session.exec(select(Bill).where(Bill.psid == spec["psid"])).one()
        removed += _remove_payments(session, bill.id or 0)
        bill.sqlmodel_update(_documented_fields(spec, agencies, citizens, now))
        session.add(bill)
    for request_spec in REQUESTS:
        tracking = request_spec[0]
        request = session.exec(select(ServiceRequest).where(ServiceRequest.tracking_number == tracking)).one()
        session.execute(delete(StatusEvent).where(col(StatusEvent.request_id) == request.id))
        session.delete(request)
        session.flush()
        _seed_request(session, request_spec, citizens, now)
    for email, _role, _agency in OFFICERS:
        demo_officer_reset(session=session, email=email, password=DEMO_PASSWORD)
    session.flush()
    return {**created, "payments_removed": removed}


def _reset_citizen(session: Session, spec: dict[str, str], region: str) -> Citizen:
    citizen = find_by_msisdn(session=session, msisdn=spec["msisdn"], region=region)
    if citizen is None:  # seed_demo has just created every demo citizen
        raise LookupError(f"demo citizen {spec['msisdn']} is missing")
    citizen.name, citizen.language = spec["name"], spec["language"]
    citizen.cnic = normalise_cnic(spec["cnic"])
    citizen.cnic_verified_at = citizen.cnic_verified_at or utcnow()  # the sandbox identity's seeded pairs
    set_sms_reminders(session=session, citizen=citizen, enabled=True)
    # An operator putting the demo accounts back, not a citizen changing a PIN: the documented PIN, no lockout.
    citizen.pin_hash, citizen.pin_failed_attempts, citizen.pin_locked_until = hash_pin(spec["pin"]), 0, None
    session.add(citizen)
    return citizen


def _remove_payments(session: Session, bill_id: int) -> int:
    payment_ids = list(session.exec(select(Payment.id).where(Payment.bill_id == bill_id)))
    if not payment_ids:
        return 0
    session.execute(delete(PaymentEvent).where(col(PaymentEvent.payment_id).in_(payment_ids)))
    # The receipts stay in the outbox as history, but give up their dedupe keys: a payment id freed here
    # may be handed out again, and its receipt must not be mistaken for one already sent.
    for payment_id in payment_ids:
        session.execute(update(Notification).where(col(Notification.dedupe_key).startswith(f"payment:{payment_id}:"))
                        .values(dedupe_key=None))
    session.execute(delete(Payment).where(col(Payment.id).in_(payment_ids)))
    return len(payment_ids)


def reset_demo_limits(redis: Redis, msisdns: list[str] | None = None) -> None:
    """Forget the demo numbers' sign-in code limits and lockouts and their SMS rate windows."""
    for msisdn in msisdns or [spec["msisdn"] for spec in CITIZENS]:
        for pattern in (f"rabta:api:otp:{msisdn}*", f"rabta:sms:inbound:{msisdn}:*"):
            for key in redis.scan_iter(match=pattern, count=500):
                redis.delete(key)
