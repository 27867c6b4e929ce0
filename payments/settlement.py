"""State changes of a payment, each a compare-and-set inside the caller's transaction.

Settling marks the payment succeeded and the bill paid (`unpaid -> paid`, only if
still unpaid) and writes the receipt to the outbox, all in one transaction. Money
that arrives for a bill someone else already settled, or after we expired the
payment, is never booked: the payment ends `refund_due` and the citizen is told.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from sqlalchemy import bindparam
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, col, select

from app.bills.models import PAID, UNPAID, Bill
from app.bus import Event, record
from app.catalogue.models import Agency
from app.citizens.models import Citizen
from app.messages import text
from app.messages.formatting import format_money
from app.notifications.service import queue_notification
from app.timeutil import utcnow
from payments.events import record_event
from payments.models import EXPIRED, FAILED, IN_FLIGHT, PENDING, SUCCEEDED, Payment
from payments.providers.base import CHARGE_FAILED, CHARGE_PENDING, CHARGE_SUCCEEDED, ChargeStatus


@dataclass(frozen=True)
class PaymentMoved(Event):
    """A payment reached a status (counted by the metrics once the change is committed)."""

    rail: str
    channel: str
    status: str
    settle_seconds: float | None = None  # start to settled, for a success


# Outcomes reported by the functions below (and counted by reconciliation).
SETTLED = "settled"
REFUND_DUE = "refund_due"
UNCHANGED = "unchanged"
MISMATCH = "mismatch"


def lock_payment(session: Session, payment_id: int) -> Payment | None:
    """Load a payment for changing it: one transaction at a time per payment.

    On PostgreSQL the row lock comes before any event row referencing the payment is
    written (that takes a key-share lock, and two of those would deadlock the
    compare-and-set that clears the unique `active_bill_id`). SQLite's BEGIN IMMEDIATE
    already serialises writers.
    """
    return session.get(Payment, payment_id, with_for_update=True, populate_existing=True)


def receipt_number_for(payment_id: int) -> str:
    return f"RB{payment_id:010d}"


_payments: Any = cast(Any, Payment).__table__
_bills: Any = cast(Any, Bill).__table__


def _cas_update(table: Any, condition: Any, columns: tuple[str, ...]) -> Any:
    """UPDATE `table` SET each of `columns` = :new_<column> WHERE id = :row_id AND `condition` (a bound
    name may not be a column's own in a SET clause, hence the prefix)."""
    return (table.update().where(table.c.id == bindparam("row_id"), condition)
            .values({column: bindparam(f"new_{column}") for column in columns}))


@cache
def _payment_update(from_statuses: tuple[str, ...], columns: tuple[str, ...]) -> Any:
    # Built once per shape: making an UPDATE anew cost about as much as running it (issue 15).
    return _cas_update(_payments, _payments.c.status.in_(from_statuses), columns)


_BILL_PAID = _cas_update(_bills, _bills.c.status == UNPAID, ("status", "settled_by_payment_id", "paid_at",
                                                             "paid_amount"))
_REFUND_OWED = _cas_update(_payments, _payments.c.refund_due.is_(False), ("refund_due", "updated_at"))


def _cas_payment(session: Session, payment: Payment, from_statuses: tuple[str, ...], **values: Any) -> bool:
    values.setdefault("updated_at", utcnow())
    statement = _payment_update(from_statuses, tuple(sorted(values)))
    return _compare_and_set(session, statement, payment, payment.id, values)


def _compare_and_set(session: Session, statement: Any, row: Any, row_id: int | None, values: dict[str, Any]) -> bool:
    """Run a `_cas_update` statement for `row_id` with `values`; True if it moved. The in-session object
    `row` (if any) then holds the new values as loaded ones. A Core statement: the ORM's bulk UPDATE with
    "fetch" synchronisation cost several times the statement itself (issue 15)."""
    session.flush()  # pending ORM changes first, as the ORM's own UPDATE would have done
    params = {"row_id": row_id, **{f"new_{column}": value for column, value in values.items()}}
    moved = session.connection().execute(statement, params).rowcount
    if moved and row is not None:
        for key, value in values.items():
            set_committed_value(row, key, value)
    return bool(moved)


def mark_pending(session: Session, payment: Payment, provider_reference: str | None) -> bool:
    """initiated -> pending once the provider accepted the charge (the reference is kept either way)."""
    if provider_reference and not payment.provider_reference:
        payment.provider_reference = provider_reference
        session.add(payment)
        session.flush()
    moved = _cas_payment(session, payment, ("initiated",), status=PENDING)
    if moved:
        record_event(session, payment, "state_change", {"to": PENDING, "provider_reference": provider_reference})
    return moved


def fail_payment(session: Session, payment: Payment, reason: str, status: str = FAILED) -> str:
    """An in-flight payment ends failed (or expired); frees the bill for another attempt."""
    if not _cas_payment(session, payment, IN_FLIGHT, status=status, failure_reason=reason, active_bill_id=None):
        return UNCHANGED
    record_event(session, payment, "state_change", {"to": status, "reason": reason})
    record(session, PaymentMoved(payment.rail, payment.channel, status))
    _notify(session, payment, "payment_failed", "payment.failed", dedupe="failed")
    return status


def settle_payment(session: Session, payment: Payment) -> str:
    """The provider confirmed the money: book it once, or flag it for refund."""
    if payment.status == SUCCEEDED or payment.refund_due:
        return UNCHANGED
    if payment.status in (FAILED, EXPIRED):
        return _late_money(session, payment)
    now = utcnow()
    if not _cas_payment(session, payment, IN_FLIGHT, status=SUCCEEDED, active_bill_id=None,
                        receipt_number=receipt_number_for(payment.id or 0), settled_at=now):
        session.refresh(payment)
        return settle_payment(session, payment) if payment.status != SUCCEEDED else UNCHANGED
    bill = session.identity_map.get(identity_key(Bill, payment.bill_id))  # the bill, if this session has it
    if not _compare_and_set(session, _BILL_PAID, bill, payment.bill_id, {
            "status": PAID, "settled_by_payment_id": payment.id, "paid_at": now, "paid_amount": payment.amount}):
        # Another rail (or an earlier payment) settled the bill first: this money goes back.
        _cas_payment(session, payment, (SUCCEEDED,), status=FAILED, receipt_number=None, settled_at=None,
                     failure_reason="bill_already_paid", refund_due=True)
        record_event(session, payment, "state_change", {"to": FAILED, "refund_due": True,
                                                        "reason": "bill_already_paid"})
        record(session, PaymentMoved(payment.rail, payment.channel, REFUND_DUE))
        _notify(session, payment, "refund_due", "payment.refund_due", dedupe="refund")
        return REFUND_DUE
    record_event(session, payment, "state_change", {"to": SUCCEEDED, "receipt": payment.receipt_number})
    record(session, PaymentMoved(payment.rail, payment.channel, SUCCEEDED, (now - payment.created_at).total_seconds()))
    _notify(session, payment, "payment_receipt", "payment.receipt", dedupe="receipt")
    return SETTLED


def _late_money(session: Session, payment: Payment) -> str:
    if not _compare_and_set(session, _REFUND_OWED, payment, payment.id, {"refund_due": True, "updated_at": utcnow()}):
        return UNCHANGED
    record_event(session, payment, "refund_due", {"status": payment.status, "reason": "money after " +
                                                  payment.status})
    record(session, PaymentMoved(payment.rail, payment.channel, REFUND_DUE))
    _notify(session, payment, "refund_due", "payment.refund_due", dedupe="refund")
    return REFUND_DUE


def apply_provider_status(session: Session, payment: Payment, status: ChargeStatus) -> str:
    """Act on the provider's own answer (its charge or status API, never a callback's word).

    The caller has logged the answer in the event log."""
    if status.state in (CHARGE_SUCCEEDED, CHARGE_FAILED, CHARGE_PENDING) and not _matches(payment, status):
        return flag(session, payment, "amount_mismatch", {"provider": status.raw})
    if status.state == CHARGE_SUCCEEDED:
        if status.provider_reference and not payment.provider_reference:
            payment.provider_reference = status.provider_reference
            session.add(payment)
        return settle_payment(session, payment)
    if status.state == CHARGE_FAILED:
        return fail_payment(session, payment, status.reason or "provider_error")
    if status.state == CHARGE_PENDING and payment.status == "initiated":
        mark_pending(session, payment, status.provider_reference)
    return status.state


def _matches(payment: Payment, status: ChargeStatus) -> bool:
    return (status.merchant_reference == payment.reference and status.amount == payment.amount
            and status.currency == payment.currency)


def flag(session: Session, payment: Payment, what: str, payload: dict[str, Any]) -> str:
    if payment.flag != what:
        payment.flag = what
        payment.updated_at = utcnow()
        session.add(payment)
        record_event(session, payment, "flag", {"flag": what, **payload})
    return MISMATCH


def _bill_and_agency(session: Session, bill_id: int) -> tuple[Bill | None, Agency | None]:
    """One query for both, unless this session holds the bill already (the bank rail locked it)."""
    bill = session.identity_map.get(identity_key(Bill, bill_id))
    if bill is not None:
        return bill, session.get(Agency, bill.agency_id)
    query = select(Bill, Agency).join(Agency, col(Agency.id) == col(Bill.agency_id), isouter=True) \
        .where(col(Bill.id) == bill_id)
    row = session.exec(query).first()
    return (row[0], row[1]) if row is not None else (None, None)


def _notify(session: Session, payment: Payment, kind: str, template: str, dedupe: str) -> None:
    """Write the citizen's message to the outbox in this same transaction."""
    bill, agency = _bill_and_agency(session, payment.bill_id)
    citizen = session.get(Citizen, payment.citizen_id) if payment.citizen_id else None
    if citizen is None and bill is not None and bill.citizen_id and not payment.msisdn:
        citizen = session.get(Citizen, bill.citizen_id)  # a bank payment: tell the bill's owner
    number = payment.msisdn or (citizen.msisdn if citizen else None)
    if bill is None or number is None:
        return
    language = citizen.language if citizen else "en"
    reason = text(f"payment.reason.{payment.failure_reason}", language) if payment.failure_reason else ""
    queue_notification(
        session=session, kind=kind, template=template, citizen=citizen, msisdn=number, language=language,
        params={"amount": format_money(payment.amount, payment.currency), "psid": bill.psid,
                "agency": agency.code if agency else "", "reference": payment.reference,
                "receipt": payment.receipt_number or "", "reason": reason},
        dedupe_key=f"payment:{payment.id}:{dedupe}")
