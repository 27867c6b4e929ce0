"""Payments that banks make for us over the 1Bill rail (we are the biller).

A bank payment is settled in the same transaction it is recorded in: there is no
"in flight" state on this rail. Like every channel, a bank is refused while a wallet
payment for the bill is in flight (`payments.payability`): one payment at a time.

It is priced on the bank's transaction date (`tran_date`, the deployment's calendar
date), not on our clock: a payment made at 23:59 on the due date and delivered after
midnight owes the before-due amount. Only today and yesterday are accepted.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from app.errors import BillAlreadyPaid, Conflict, ValidationFailed
from payments.events import record_event
from payments.models import INITIATED, ONEBILL_PROVIDER, RAIL_ONEBILL, Payment
from payments.payability import payability_of
from payments.service import insert_payment_once, new_reference
from payments.settlement import SETTLED, settle_payment


class DuplicateTransaction(Conflict):
    code = "duplicate_transaction"


class TransactionDateRefused(ValidationFailed):
    code = "transaction_date_refused"


def check_transaction_date(tran_date: date, today: date) -> date:
    """The bank's transaction date must be today or yesterday (a payment delivered just after midnight)."""
    if tran_date not in (today, today - timedelta(days=1)):
        raise TransactionDateRefused("tran_date must be today or yesterday.",
                                     field_errors={"tran_date": "out of range"})
    return tran_date


def record_bank_payment(*, session: Session, psid: str, tran_auth_id: str, amount: int, bank_mnemonic: str,
                        tran_date: date, today: date) -> Payment:
    """Book a bank's payment for a bill, once per `tran_auth_id`, for exactly what the bill cost on `tran_date`.

    Raises TransactionDateRefused, InvalidPsid, and the refusals of `payments.payability` (BillNotFound,
    BillBlocked, BillAlreadyPaid, BillNotIssued, PaymentInFlight, WrongAmount), DuplicateTransaction; the
    caller rolls back.
    """
    check_transaction_date(tran_date, today)
    answer = payability_of(session=session, psid=psid, on=tran_date, offered_amount=amount, lock=True)
    if answer.bill is not None and _seen(session, tran_auth_id):
        raise DuplicateTransaction("This tran_auth_id was used before.")
    bill = answer.raise_if_refused()
    payment = Payment(reference=new_reference(), bill_id=bill.id or 0, citizen_id=None, msisdn=None,
                      channel="bank", rail=RAIL_ONEBILL, provider=ONEBILL_PROVIDER, provider_reference=tran_auth_id,
                      amount=amount, currency=bill.currency, status=INITIATED)
    if not insert_payment_once(session, payment, by_provider_reference=True):  # the same one, concurrently
        raise DuplicateTransaction("This tran_auth_id was used before.")
    record_event(session, payment, "bank_payment", {"tran_auth_id": tran_auth_id, "bank": bank_mnemonic,
                                                    "amount": amount, "tran_date": tran_date.isoformat()})
    if settle_payment(session, payment) != SETTLED:
        raise BillAlreadyPaid("This bill is already paid.")  # lost the race to another rail
    return payment


# Built once (making a statement anew costs about as much as sending it, issue 15).
_BY_TRAN_AUTH_ID = select(Payment.id).where(col(Payment.provider) == ONEBILL_PROVIDER,
                                            col(Payment.provider_reference) == bindparam("tran_auth_id"))


def _seen(session: Session, tran_auth_id: str) -> bool:
    return session.connection().execute(_BY_TRAN_AUTH_ID, {"tran_auth_id": tran_auth_id}).first() is not None


def settling_reference(*, session: Session, payment_id: int | None) -> str:
    """What a 1Bill inquiry shows as the settling transaction of a paid bill: the bank's tran_auth_id,
    or our own payment reference when another rail settled it."""
    payment = session.get(Payment, payment_id) if payment_id else None
    if payment is None:
        return ""
    return (payment.provider_reference or "") if payment.rail == RAIL_ONEBILL else payment.reference
