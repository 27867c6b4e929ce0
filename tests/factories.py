"""Factories that build real rows through the service layer (never by faking)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from app.applications.models import ServiceRequest
from app.applications.service import Viewer, submit_request
from app.bills.models import Bill
from app.bills.service import issue_bill
from app.catalogue.models import Agency, Service
from app.catalogue.service import upsert_agency, upsert_service
from app.citizens.models import Citizen
from app.citizens.service import register_citizen
from app.settings import Settings
from app.timeutil import local_today

_counter = itertools.count(1)
# Sees every application: for arranging and asserting in tests (channels always pass a real viewer).
EVERYONE = Viewer(everyone=True)


def local_day() -> date:
    """Today in the deployment's time zone (the default TIMEZONE), as the channels see it."""
    return local_today(Settings.model_fields["TIMEZONE"].default)


def make_agency(session: Session, code: str = "", **names: str) -> Agency:
    code = code or f"AG{next(_counter)}"
    return upsert_agency(session=session, code=code, name_en=names.pop("name_en", f"Agency {code}"), **names)


def make_service(session: Session, agency: Agency | None = None, code: str = "", **fields: Any) -> Service:
    agency = agency or make_agency(session)
    code = code or _letters(next(_counter))  # tracking-number prefixes are letters only
    fields.setdefault("name_en", f"Service {code}")
    fields.setdefault("sla_days", 7)
    return upsert_service(session=session, agency=agency, code=code, **fields)


def _letters(number: int) -> str:
    """1 -> "SVA", 2 -> "SVB", ...: a distinct all-letter code per call."""
    suffix = ""
    while True:
        number, digit = divmod(number, 26)
        suffix = chr(ord("A") + digit) + suffix
        if not number:
            break
    return ("SV" + suffix)[:6]


def make_citizen(session: Session, msisdn: str = "", **fields: Any) -> Citizen:
    msisdn = msisdn or f"+92300{next(_counter):07d}"
    return register_citizen(session=session, msisdn=msisdn, **fields)


def make_bill(session: Session, agency: Agency | None = None, citizen: Citizen | None = None,
              psid: str = "", due_in_days: int = 10, within: int = 150000, after: int | None = 200000,
              kind: str = "challan", description: str = "Traffic e-challan", due_date: date | None = None,
              issued_on: date | None = None) -> Bill:
    agency = agency or make_agency(session)
    psid = psid or f"2{next(_counter):016d}"
    return issue_bill(session=session, agency=agency, psid=psid, kind=kind, description=description,
                      amount_within_due=within, amount_after_due=after,
                      due_date=due_date or local_day() + timedelta(days=due_in_days),
                      citizen_id=citizen.id if citizen else None, issued_on=issued_on)


def make_request(session: Session, citizen: Citizen | None = None, service: Service | None = None,
                 details: dict[str, Any] | None = None) -> ServiceRequest:
    citizen = citizen or make_citizen(session)
    service = service or make_service(session)
    return submit_request(session=session, citizen=citizen, service=service, details=details or {})
