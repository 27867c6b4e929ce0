"""Can this bill be paid now, for how much, and if not, why: the one rule every channel asks.

The app API, USSD, SMS, the 1Bill biller endpoints, the charge job and the console all
call `payability` and act on its answer; none of them re-decides it. The price of a
bill on a day is `app.bills.service.amount_payable_on` (within the due date the base
amount, after it the surcharged one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, Literal, Protocol, TypeVar, overload

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from app.bills.models import BLOCKED, PAID, Bill
from app.bills.psid import normalise_psid
from app.bills.service import BillTerms, amount_payable_on, bill_rows, find_bill
from app.errors import (
    BillAlreadyPaid,
    BillBlocked,
    BillNotFound,
    BillNotIssued,
    DomainError,
    PaymentInFlight,
    WrongAmount,
)
from payments.models import Payment

# Why a bill cannot be paid (None: it can).
UNKNOWN = "unknown"
ALREADY_PAID = "paid"
IS_BLOCKED = "blocked"
NOT_ISSUED = "not_issued"
IN_FLIGHT = "in_flight"
AMOUNT_MISMATCH = "amount_mismatch"

_ERRORS: dict[str, type[DomainError]] = {
    UNKNOWN: BillNotFound, ALREADY_PAID: BillAlreadyPaid, IS_BLOCKED: BillBlocked, NOT_ISSUED: BillNotIssued,
    IN_FLIGHT: PaymentInFlight, AMOUNT_MISMATCH: WrongAmount,
}
_DETAILS = {
    UNKNOWN: "No bill with that PSID.", ALREADY_PAID: "This bill is already paid.",
    IS_BLOCKED: "This bill is blocked by the agency.", NOT_ISSUED: "This bill was not issued on that date.",
    IN_FLIGHT: "A payment for this bill is already in progress.",
    AMOUNT_MISMATCH: "The amount does not match what is payable.",
}


class PayableTerms(BillTerms, Protocol):
    """What the rule reads of a bill: a `Bill` (locked, about to pay) or a `BILL_ROW` row (a screen, an inquiry)."""

    id: int | None
    issued_on: date


B = TypeVar("B", bound=PayableTerms)


@dataclass(frozen=True)
class Payability(Generic[B]):
    """The answer: `amount` is what paying on that day costs (None for an unknown bill)."""

    bill: B | None
    amount: int | None
    reason: str | None

    @property
    def payable(self) -> bool:
        return self.reason is None

    @property
    def error(self) -> DomainError | None:
        if self.reason is None:
            return None
        return _ERRORS[self.reason](_DETAILS[self.reason])

    def raise_if_refused(self) -> B:
        """The bill, when it can be paid; else the domain error that says why."""
        error = self.error
        if error is not None:
            raise error
        assert self.bill is not None
        return self.bill


def payability(*, session: Session, bill: B | None, on: date, offered_amount: int | None = None,
               ignoring_payment_id: int | None = None, in_flight: bool | None = None) -> Payability[B]:
    """Whether `bill` can be paid on day `on` (the deployment's calendar date), on any rail.

    One payment at a time: while a wallet payment for the bill is in flight (`ignoring_payment_id`
    being the caller's own), every channel and the banks are told so up front, so nobody pays twice
    and no refund case is made; it ends (settled, failed or expired) within PAYMENT_EXPIRE_AFTER_SECONDS.
    `offered_amount` is what a bank says it took from its customer. `in_flight`: already read with the
    bill (None: ask the database now).
    """
    if bill is None:
        return Payability(None, None, UNKNOWN)
    amount = amount_payable_on(bill, on)
    if bill.status == PAID:
        return Payability(bill, amount, ALREADY_PAID)
    if bill.status == BLOCKED:
        return Payability(bill, amount, IS_BLOCKED)
    if on < bill.issued_on:
        return Payability(bill, amount, NOT_ISSUED)
    if in_flight if in_flight is not None else _in_flight(session, bill, ignoring_payment_id):
        return Payability(bill, amount, IN_FLIGHT)
    if offered_amount is not None and offered_amount != amount:
        return Payability(bill, amount, AMOUNT_MISMATCH)
    return Payability(bill, amount, None)


# Statements built once: making one anew costs about as much as sending it (issue 15).
_WITH_AGENCY_AND_IN_FLIGHT = (
    bill_rows(select(Payment.id).where(col(Payment.active_bill_id) == Bill.id).exists().label("busy"))
    .where(col(Bill.psid) == bindparam("psid")))
_IN_FLIGHT = select(Payment.id).where(col(Payment.active_bill_id) == bindparam("bill_id"))
_IN_FLIGHT_BUT = _IN_FLIGHT.where(col(Payment.id) != bindparam("payment_id"))


@overload
def payability_of(*, session: Session, psid: str, on: date, offered_amount: int | None = None,
                  lock: Literal[True]) -> Payability[Bill]: ...


@overload
def payability_of(*, session: Session, psid: str, on: date, offered_amount: int | None = None,
                  lock: Literal[False] = False) -> Payability[Any]: ...


def payability_of(*, session: Session, psid: str, on: date, offered_amount: int | None = None,
                  lock: bool = False) -> Payability[Any]:
    """`payability` by PSID (a malformed PSID raises InvalidPsid: it is not a question of payability).

    Without `lock` (a screen, an inquiry) one statement reads the bill, its agency and whether a payment
    is in flight, as a `BILL_ROW` row (`app.bills.service.inquiry_of` renders it). With `lock` (about to
    pay) the `Bill` row is locked first and the in-flight question asked after, so it sees every payment
    committed before the lock was granted."""
    if lock:
        bill = find_bill(session=session, psid=psid, lock=True)
        return payability(session=session, bill=bill, on=on, offered_amount=offered_amount)
    row = session.connection().execute(_WITH_AGENCY_AND_IN_FLIGHT, {"psid": normalise_psid(psid)}).first()
    if row is None:
        return Payability(None, None, UNKNOWN)
    return payability(session=session, bill=row, on=on, offered_amount=offered_amount, in_flight=bool(row.busy))


def _in_flight(session: Session, bill: PayableTerms, ignoring_payment_id: int | None) -> bool:
    if ignoring_payment_id is None:
        found = session.exec(_IN_FLIGHT, params={"bill_id": bill.id}).first()
    else:
        found = session.exec(_IN_FLIGHT_BUT, params={"bill_id": bill.id, "payment_id": ignoring_payment_id}).first()
    return found is not None


__all__ = ["ALREADY_PAID", "AMOUNT_MISMATCH", "IN_FLIGHT", "IS_BLOCKED", "NOT_ISSUED", "UNKNOWN", "Payability",
           "payability", "payability_of"]
