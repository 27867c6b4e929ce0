"""The payment lifecycle as plain functions: every channel starts and reads payments here.

`start_payment` writes the payment in the caller's transaction; the charge job is
enqueued by an after-commit hook (`CHARGE_KICK_KEY` in the session's info, installed
by `payments.routes.register`), so a rolled-back start never charges anyone.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import metrics
from app.bills.models import BLOCKED, PAID, Bill
from app.bills.service import get_bill, inquiry_for
from app.catalogue.models import Agency
from app.citizens.identity import normalise_msisdn
from app.citizens.models import Citizen
from app.citizens.service import find_by_msisdn
from app.db import after_commit
from app.errors import (
    BillAlreadyPaid,
    BillBlocked,
    CitizenNotFound,
    PaymentInFlight,
    PaymentNotFound,
    ValidationFailed,
)
from app.messages import text
from app.messages.formatting import format_money
from payments.events import record_event
from payments.models import CHANNELS, IN_FLIGHT, INITIATED, RAIL_WALLET, Payment

# Session-info key of a callable(payment_id) that enqueues the charge job after commit.
CHARGE_KICK_KEY = "rabta_payments_charge_kick"
# Session-info key of the configured wallet provider's name (settings PAYMENT_PROVIDER).
PROVIDER_KEY = "rabta_payments_provider"
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out over the phone


def new_reference() -> str:
    return "P" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(9))


def start_payment(*, session: Session, psid: str, channel: str, citizen_id: int | None = None,
                  msisdn: str | None = None, rail: str = "wallet", provider: str | None = None,
                  region: str = "PK") -> Payment:
    """Open a wallet payment for the bill at what is payable today.

    Raises InvalidPsid / BillNotFound / BillAlreadyPaid / BillBlocked / PaymentInFlight.
    Bank (1Bill) payments do not start here: the bank calls our biller endpoints.
    """
    if channel not in CHANNELS or channel == "bank":
        raise ValidationFailed("Unknown channel.", field_errors={"channel": "one of app, ussd, sms"})
    if rail != RAIL_WALLET:
        raise ValidationFailed("Only wallet payments can be started here; 1Bill payments are made at a bank.",
                               field_errors={"rail": "wallet"})
    bill = get_bill(session=session, psid=psid, lock=True)  # row lock: starts for one bill queue up on PostgreSQL
    _check_payable(session, bill)
    citizen, payer = _payer(session, citizen_id, msisdn, region)
    inquiry = inquiry_for(session=session, bill=bill)
    payment = Payment(reference=new_reference(), bill_id=bill.id or 0, active_bill_id=bill.id,
                      citizen_id=citizen.id if citizen else None, msisdn=payer, channel=channel,
                      rail=RAIL_WALLET, provider=provider or session.info.get(PROVIDER_KEY, "sandbox"),
                      amount=inquiry.payable_now or 0,
                      currency=bill.currency, status=INITIATED)
    try:
        with session.begin_nested():  # a lost race on the in-flight slot must not spoil the caller's transaction
            session.add(payment)
            session.flush()
    except IntegrityError as exc:
        raise PaymentInFlight("A payment for this bill is already in progress.") from exc
    record_event(session, payment, "state_change", {"to": INITIATED, "channel": channel, "amount": payment.amount})
    after_commit(session, partial(metrics.count_payment, RAIL_WALLET, channel, INITIATED))
    kick = session.info.get(CHARGE_KICK_KEY)
    if kick is not None:
        after_commit(session, partial(kick, payment.id))
    return payment


def _check_payable(session: Session, bill: Bill) -> None:
    if bill.status == PAID:
        raise BillAlreadyPaid("This bill is already paid.")
    if bill.status == BLOCKED:
        raise BillBlocked("This bill is blocked by the agency.")
    if session.exec(select(Payment.id).where(Payment.active_bill_id == bill.id)).first() is not None:
        raise PaymentInFlight("A payment for this bill is already in progress.")


def _payer(session: Session, citizen_id: int | None, msisdn: str | None,
           region: str) -> tuple[Citizen | None, str]:
    """The wallet to charge: the number given, else the citizen's own number."""
    citizen = session.get(Citizen, citizen_id) if citizen_id is not None else None
    if citizen_id is not None and citizen is None:
        raise CitizenNotFound("No such citizen.")
    if msisdn:
        number = normalise_msisdn(msisdn, region)
        return citizen or find_by_msisdn(session=session, msisdn=number, region=region), number
    if citizen is None:
        raise ValidationFailed("A wallet payment needs the payer's mobile number.",
                               field_errors={"msisdn": "required"})
    return citizen, citizen.msisdn


def get_payment(*, session: Session, reference: str) -> Payment:
    reference = (reference or "").strip().upper()
    payment = session.exec(select(Payment).where(Payment.reference == reference)).first() if reference else None
    if payment is None:
        raise PaymentNotFound("No payment with that reference.")
    return payment


def list_payments(*, session: Session, citizen_id: int | None = None, agency_id: int | None = None,
                  limit: int = 50, before_id: int | None = None) -> list[Payment]:
    """Newest first; `before_id` pages backwards."""
    query = select(Payment)
    if citizen_id is not None:
        query = query.where(Payment.citizen_id == citizen_id)
    if agency_id is not None:
        query = query.join(Bill, col(Bill.id) == col(Payment.bill_id)).where(Bill.agency_id == agency_id)
    if before_id is not None:
        query = query.where(col(Payment.id) < before_id)
    query = query.order_by(col(Payment.id).desc()).limit(max(1, min(limit, 200)))
    return list(session.exec(query))


def in_flight_payment_for(*, session: Session, bill_id: int) -> Payment | None:
    return session.exec(select(Payment).where(Payment.bill_id == bill_id,
                                              col(Payment.status).in_(IN_FLIGHT))).first()


@dataclass(frozen=True)
class PaymentView:
    reference: str
    psid: str
    agency_code: str
    amount: int
    currency: str
    status: str
    status_label: str
    refund_due: bool
    receipt_number: str | None
    failure_reason: str | None
    created_at: datetime
    settled_at: datetime | None
    failure_code: str | None = None

    def render(self, language: str) -> str:
        """One short line (<= 160 characters in English / Roman Urdu) for USSD and SMS."""
        if self.receipt_number:
            detail = text("payment.receipt_note", language, receipt=self.receipt_number)
        elif self.failure_code:
            detail = " " + text(f"payment.reason.{self.failure_code}", language)
        else:
            detail = ""
        if self.refund_due:
            detail += text("payment.refund_note", language)
        return text("payment.view", language, reference=self.reference, psid=self.psid, agency=self.agency_code,
                    amount=format_money(self.amount, self.currency),
                    status=text(f"payment.status.{self.status}", language), detail=detail)


def payment_view(*, session: Session, payment: Payment, language: str) -> PaymentView:
    bill = session.get(Bill, payment.bill_id)
    agency = session.get(Agency, bill.agency_id) if bill else None
    reason = text(f"payment.reason.{payment.failure_reason}", language) if payment.failure_reason else None
    return PaymentView(
        reference=payment.reference, psid=bill.psid if bill else "", agency_code=agency.code if agency else "",
        amount=payment.amount, currency=payment.currency, status=payment.status,
        status_label=text(f"payment.status.{payment.status}", language), refund_due=payment.refund_due,
        receipt_number=payment.receipt_number, failure_reason=reason, created_at=payment.created_at,
        settled_at=payment.settled_at, failure_code=payment.failure_reason,
    )
