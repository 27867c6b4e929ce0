"""VERIFY: is this challan or receipt genuine? One answer for SMS (`VERIFY <PSID or receipt>`) and USSD
("Verify a challan/receipt"), and nothing personal in it.

E-challan phishing sends fake texts with payment links; Rabta never sends links, and anyone can check what a
text claims. A receipt number (RB + 10 digits) is checkable by whoever holds it: agency, amount, paid on
which day. A PSID shows only that it exists, its agency and its amount (never whose it is or whether it was
paid: that is the payer's business). Anything else is "not a Rabta challan or receipt: do not pay it".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from app.bills.models import Bill
from app.bills.psid import normalise_psid
from app.bills.service import amount_payable_on
from app.catalogue.models import Agency
from app.errors import InvalidPsid, ValidationFailed
from app.messages import text
from app.messages.formatting import format_date, format_money
from payments.models import SUCCEEDED, Payment

RECEIPT = re.compile(r"^RB\d{10}$")
_SEPARATORS = re.compile(r"[\s\-]")


def normalise_reference(raw: str) -> str:
    """A PSID (17 digits, spaces or dashes allowed) or a receipt number (`RB0000001234`, any case)."""
    compact = _SEPARATORS.sub("", raw or "").upper()
    if RECEIPT.match(compact) and compact.isascii():
        return compact
    try:
        return normalise_psid(raw)
    except InvalidPsid as exc:
        raise ValidationFailed("Send a PSID (17 digits) or a receipt number (RB and 10 digits).",
                               field_errors={"reference": "invalid format"}) from exc


@dataclass(frozen=True)
class Verification:
    reference: str
    found: bool
    is_receipt: bool = False
    agency: str = ""
    amount: int = 0
    currency: str = "PKR"
    paid_on: date | datetime | None = None  # a moment is shown on the deployment's calendar

    def render(self, language: str) -> str:
        if not self.found:
            return text("verify.unknown", language, reference=self.reference)
        money = format_money(self.amount, self.currency)
        if self.is_receipt:
            return text("verify.receipt", language, receipt=self.reference, agency=self.agency, amount=money,
                        date=format_date(self.paid_on) if self.paid_on else "")
        return text("verify.psid", language, psid=self.reference, agency=self.agency, amount=money)


def verify_reference(*, session: Session, reference: str, on: date, language: str = "en") -> Verification:
    """Whether `reference` is a genuine Rabta receipt or PSID, with only what its holder may know."""
    try:
        ref = normalise_reference(reference)
    except ValidationFailed:
        return Verification(reference=reference.strip()[:24], found=False)
    if RECEIPT.match(ref):
        return _receipt(session, ref, language)
    bill = session.exec(select(Bill).where(Bill.psid == ref)).first()
    if bill is None:
        return Verification(reference=ref, found=False)
    agency = session.get(Agency, bill.agency_id)
    amount = amount_payable_on(bill, on)  # the price on the day, paid or not: whether it is paid is not said
    return Verification(reference=ref, found=True, agency=agency.name_in(language) if agency else "",
                        amount=amount, currency=bill.currency)


def _receipt(session: Session, ref: str, language: str) -> Verification:
    payment = session.exec(select(Payment).where(Payment.receipt_number == ref,
                                                 Payment.status == SUCCEEDED)).first()
    bill = session.get(Bill, payment.bill_id) if payment is not None else None
    if payment is None or bill is None:
        return Verification(reference=ref, found=False)
    agency = session.get(Agency, bill.agency_id)
    paid = payment.settled_at or payment.created_at
    return Verification(reference=ref, found=True, is_receipt=True,
                        agency=agency.name_in(language) if agency else "", amount=payment.amount,
                        currency=payment.currency, paid_on=paid)
