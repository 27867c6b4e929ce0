"""Payments that banks make for us over the 1Bill rail (we are the biller).

A bank payment is settled in the same transaction it is recorded in: there is no
"in flight" state on this rail, so it may settle a bill while a wallet payment for
it is still pending (that wallet payment later ends `refund_due` if its money comes).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.bills.models import BLOCKED, PAID
from app.bills.service import amount_payable_on, get_bill
from app.errors import BillAlreadyPaid, BillBlocked, Conflict, ValidationFailed
from app.timeutil import today
from payments.events import record_event
from payments.models import INITIATED, ONEBILL_PROVIDER, RAIL_ONEBILL, Payment
from payments.service import new_reference
from payments.settlement import SETTLED, settle_payment


class DuplicateTransaction(Conflict):
    code = "duplicate_transaction"


class WrongAmount(ValidationFailed):
    code = "wrong_amount"


def record_bank_payment(*, session: Session, psid: str, tran_auth_id: str, amount: int, bank_mnemonic: str,
                        on: date | None = None) -> Payment:
    """Book a bank's payment for a bill, once per `tran_auth_id`, for exactly what is payable today.

    Raises BillNotFound, BillBlocked, BillAlreadyPaid, DuplicateTransaction, WrongAmount;
    the caller rolls back on any of them.
    """
    bill = get_bill(session=session, psid=psid, lock=True)
    if _seen(session, tran_auth_id):
        raise DuplicateTransaction("This tran_auth_id was used before.")
    if bill.status == BLOCKED:
        raise BillBlocked("This bill is blocked by the agency.")
    if bill.status == PAID:
        raise BillAlreadyPaid("This bill is already paid.")
    payable = amount_payable_on(bill, on or today())
    if amount != payable:
        raise WrongAmount(f"Amount {amount} does not match the payable {payable}.")
    payment = Payment(reference=new_reference(), bill_id=bill.id or 0, citizen_id=None, msisdn=None,
                      channel="bank", rail=RAIL_ONEBILL, provider=ONEBILL_PROVIDER, provider_reference=tran_auth_id,
                      amount=amount, currency=bill.currency, status=INITIATED)
    try:
        with session.begin_nested():
            session.add(payment)
            session.flush()
    except IntegrityError as exc:  # the same tran_auth_id in a concurrent request
        raise DuplicateTransaction("This tran_auth_id was used before.") from exc
    record_event(session, payment, "bank_payment", {"tran_auth_id": tran_auth_id, "bank": bank_mnemonic,
                                                    "amount": amount})
    if settle_payment(session, payment) != SETTLED:
        raise BillAlreadyPaid("This bill is already paid.")  # lost the race to another rail
    return payment


def _seen(session: Session, tran_auth_id: str) -> bool:
    query = select(Payment.id).where(Payment.provider == ONEBILL_PROVIDER, Payment.provider_reference == tran_auth_id)
    return session.exec(query).first() is not None


def bank_payment_for(*, session: Session, bill_id: int, payment_id: int | None) -> Payment | None:
    """The payment that settled a bill (for the 1Bill inquiry's paid fields)."""
    return session.get(Payment, payment_id) if payment_id else None
