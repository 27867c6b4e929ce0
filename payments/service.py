"""The payment lifecycle as plain functions: every channel starts and reads payments here.

`start_payment` writes the payment in the caller's transaction and records a
`PaymentStarted` event; after commit the bus (wired in `app.bootstrap`) enqueues the
charge job, so a rolled-back start never charges anyone.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, col, select

from app.bills.models import Bill
from app.bus import Event, record
from app.catalogue.models import Agency
from app.citizens.identity import normalise_msisdn
from app.citizens.models import Citizen
from app.citizens.service import caller_by_msisdn
from app.errors import CitizenNotFound, PaymentInFlight, PaymentNotFound, ValidationFailed
from app.messages import text
from app.messages.formatting import format_money
from payments.events import record_event
from payments.models import CHANNELS, INITIATED, RAIL_WALLET, Payment
from payments.payability import payability_of
from payments.settlement import PaymentMoved

REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out over the phone


@dataclass(frozen=True)
class PaymentStarted(Event):
    """A wallet payment was opened: its charge job is owed."""

    payment_id: int


def new_reference() -> str:
    return "P" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(9))


def start_payment(*, session: Session, psid: str, channel: str, wallet: str, today: date,
                  citizen_id: int | None = None, msisdn: str | None = None, region: str = "PK") -> Payment:
    """Open a payment for the bill from the payer's `wallet` at what paying it `today` costs.

    `wallet` is the payer's choice, already checked against the offered wallets
    (`payments.providers.Wallets.choose`). Raises InvalidPsid / BillNotFound / BillAlreadyPaid /
    BillBlocked / PaymentInFlight (see `payments.payability`). Bank (1Bill) payments do not start
    here: the bank calls our biller endpoints.
    """
    if channel not in CHANNELS or channel == "bank":
        raise ValidationFailed("Unknown channel.", field_errors={"channel": "one of app, ussd, sms"})
    # Row lock: starts for one bill queue up on PostgreSQL (SQLite's BEGIN IMMEDIATE serialises them).
    answer = payability_of(session=session, psid=psid, on=today, lock=True)
    bill, amount = answer.raise_if_refused(), answer.amount or 0
    payer_id, payer = _payer(session, citizen_id, msisdn, region)
    payment = Payment(reference=new_reference(), bill_id=bill.id or 0, active_bill_id=bill.id,
                      citizen_id=payer_id, msisdn=payer, channel=channel,
                      rail=RAIL_WALLET, provider=wallet, amount=amount, currency=bill.currency, status=INITIATED)
    if not insert_payment_once(session, payment):
        raise PaymentInFlight("A payment for this bill is already in progress.")
    record_event(session, payment, "state_change", {"to": INITIATED, "channel": channel, "amount": payment.amount})
    record(session, PaymentStarted(payment.id or 0))
    record(session, PaymentMoved(RAIL_WALLET, channel, INITIATED))
    return payment


_payments: Any = cast(Any, Payment).__table__


def _insert_once(*unique: str) -> dict[bool, Any]:
    """INSERT ... ON CONFLICT (`unique`) DO NOTHING RETURNING id, for SQLite (False) and PostgreSQL (True)."""
    return {postgres: insert(_payments).on_conflict_do_nothing(index_elements=list(unique))
            .returning(_payments.c.id) for postgres, insert in ((False, sqlite_insert), (True, postgresql_insert))}


# A unique index decides, in the INSERT itself: the in-flight slot (`active_bill_id`) of a wallet payment, the
# bank's `tran_auth_id` of a 1Bill one. The loser inserts nothing and its transaction stays usable, without a
# SAVEPOINT round trip pair around an ORM flush.
_IN_FLIGHT_SLOT = _insert_once("active_bill_id")
_PROVIDER_REFERENCE = _insert_once("provider", "provider_reference")


def insert_payment_once(session: Session, payment: Payment, *, by_provider_reference: bool = False) -> bool:
    """Write `payment` (one Core statement) and make it the session's persistent object; False, writing
    nothing, when another payment holds its in-flight slot (or, `by_provider_reference`, has the same
    provider reference)."""
    values = {column.name: getattr(payment, column.name) for column in _payments.columns if column.name != "id"}
    statements = _PROVIDER_REFERENCE if by_provider_reference else _IN_FLIGHT_SLOT
    connection = session.connection()
    payment_id = connection.execute(statements[connection.dialect.name == "postgresql"], values).scalar()
    if payment_id is None:
        return False
    payment.id = int(payment_id)
    make_transient_to_detached(payment)
    session.add(payment)
    return True


_PAYER = select(Citizen.id, Citizen.msisdn).where(col(Citizen.id) == bindparam("citizen_id"))


def _payer(session: Session, citizen_id: int | None, msisdn: str | None, region: str) -> tuple[int | None, str]:
    """The citizen paying (if known) and the wallet to charge: the number given, else the citizen's own."""
    # As Core on the session's connection (no autoflush: nothing in this unit of work changes a citizen).
    own = session.connection().execute(_PAYER, {"citizen_id": citizen_id}).first() if citizen_id is not None else None
    if citizen_id is not None and own is None:
        raise CitizenNotFound("No such citizen.")
    if msisdn:
        number = normalise_msisdn(msisdn, region)
        if own is not None:
            return own.id, number
        caller = caller_by_msisdn(session=session, msisdn=number, region=region)
        return (caller.citizen_id if caller else None), number
    if own is None:
        raise ValidationFailed("A wallet payment needs the payer's mobile number.",
                               field_errors={"msisdn": "required"})
    return own.id, own.msisdn


def get_payment(*, session: Session, reference: str, citizen_id: int | None = None) -> Payment:
    """A payment by reference; with `citizen_id`, only that citizen's own (another's does not exist for them)."""
    reference = (reference or "").strip().upper()
    payment = session.exec(select(Payment).where(Payment.reference == reference)).first() if reference else None
    if payment is None or (citizen_id is not None and payment.citizen_id != citizen_id):
        raise PaymentNotFound("No payment with that reference.")
    return payment


def payment_by_provider_reference(*, session: Session, provider: str, reference: str) -> Payment | None:
    """The payment a provider's callback is about (our reference, as the provider echoes it)."""
    query = select(Payment).where(Payment.provider == provider, Payment.reference == reference)
    return session.exec(query).first()


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


def refund_cases(*, session: Session) -> list[tuple[Payment, Bill]]:
    """Money that arrived for a bill already settled, or after its payment expired: oldest first."""
    query = (select(Payment, Bill).join(Bill, col(Bill.id) == col(Payment.bill_id))
             .where(col(Payment.refund_due)).order_by(col(Payment.id)))
    return [(payment, bill) for payment, bill in session.exec(query)]


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
    wallet: str = ""
    channel: str = ""
    rail: str = ""

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


# One row of two columns, not two ORM loads: this is on every payment answer of every channel. Built once:
# making a statement anew costs about as much as sending it (issue 15).
_PSID_AND_AGENCY = (select(Bill.psid, Agency.code).join(Agency, col(Agency.id) == col(Bill.agency_id))
                    .where(col(Bill.id) == bindparam("bill_id")))


def payment_view(*, session: Session, payment: Payment, language: str) -> PaymentView:
    found = session.connection().execute(_PSID_AND_AGENCY, {"bill_id": payment.bill_id}).first()
    psid, agency_code = found if found is not None else ("", "")
    reason = text(f"payment.reason.{payment.failure_reason}", language) if payment.failure_reason else None
    return PaymentView(
        reference=payment.reference, psid=psid, agency_code=agency_code,
        amount=payment.amount, currency=payment.currency, status=payment.status,
        status_label=text(f"payment.status.{payment.status}", language), refund_due=payment.refund_due,
        receipt_number=payment.receipt_number, failure_reason=reason, created_at=payment.created_at,
        settled_at=payment.settled_at, failure_code=payment.failure_reason, wallet=payment.provider,
        channel=payment.channel, rail=payment.rail,
    )
