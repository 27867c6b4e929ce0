"""Agencies issuing bills and challans to citizens (and telling them so): the agency API and the
console both issue through `issue_agency_bill`, so both validate and notify the same way."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from app.bills.models import Bill
from app.bills.service import generate_psid, inquiry_for, issue_bill
from app.catalogue.models import Agency
from app.citizens.identity import mask_cnic
from app.citizens.models import Citizen
from app.citizens.service import find_citizen_by_cnic, get_or_create_by_msisdn
from app.errors import ValidationFailed
from app.notifications.service import queue_notification

log = logging.getLogger("rabta.bills")


@dataclass(frozen=True)
class IssuedBill:
    bill: Bill
    citizen: Citizen | None
    notified: bool


def resolve_citizen(*, session: Session, cnic: str | None, msisdn: str | None, region: str) -> Citizen | None:
    """The bill's citizen by CNIC or number.

    A number always resolves (a citizen who has not signed up yet gets an account on
    that number, so the bill is waiting when they first sign in); a CNIC nobody has
    registered leaves the bill payable by PSID but addressed to no one.
    """
    # Only a number proven to hold the CNIC: a claimed but unproven CNIC is told nothing of its bills.
    by_cnic = find_citizen_by_cnic(session=session, cnic=cnic, verified_only=True) if cnic else None
    if not msisdn:
        return by_cnic
    by_number = get_or_create_by_msisdn(session=session, msisdn=msisdn, region=region)
    if by_cnic is not None and by_cnic.id != by_number.id:
        raise ValidationFailed("That CNIC and that number belong to different citizens.",
                               field_errors={"citizen_cnic": "does not match citizen_msisdn"})
    return by_number


def issue_agency_bill(*, session: Session, agency: Agency, kind: str, description: str, amount_within_due: int,
                      amount_after_due: int | None, due_date: date, cnic: str | None, msisdn: str | None,
                      currency: str, region: str, today: date) -> IssuedBill:
    """`today` is the deployment's calendar date: the bill's issue date, and no due date before it."""
    if due_date < today:
        raise ValidationFailed("The due date is in the past.", field_errors={"due_date": "in the past"})
    citizen = resolve_citizen(session=session, cnic=cnic, msisdn=msisdn, region=region)
    bill = issue_bill(session=session, agency=agency, psid=generate_psid(session=session), kind=kind,
                      description=description, amount_within_due=amount_within_due,
                      amount_after_due=amount_after_due, due_date=due_date,
                      citizen_id=citizen.id if citizen else None, currency=currency, issued_on=today)
    notified = citizen is not None and _notify(session, bill, citizen, today)
    log.info("agency %s issued bill %s to citizen %s (cnic %s)", agency.code, bill.psid,
             citizen.id if citizen else None, mask_cnic(citizen.cnic if citizen else None))
    return IssuedBill(bill=bill, citizen=citizen, notified=notified)


def _notify(session: Session, bill: Bill, citizen: Citizen, today: date) -> bool:
    summary = inquiry_for(session=session, bill=bill, on=today, language=citizen.language).render(citizen.language)
    row = queue_notification(session=session, kind="bill_issued", template="notify.bill_issued",
                             params={"bill": summary}, citizen=citizen, dedupe_key=f"bill_issued:{bill.psid}")
    return row is not None
