"""Refund cases end to end: money we could not book (`refund_due`) goes back to the payer.

A supervisor approves (`approve_refund`: once, whoever clicks twice); the citizen is told it is on its way;
an RQ job (`send_refund`, idempotent on the refund reference, retried with backoff) asks the wallet; the
payment ends `refunded` and the citizen is told, or, when the wallet refuses for good, the case reopens
and the citizen is told to expect contact. Reconciliation mismatches (`Payment.flag`) are the other kind of
case: `resolve_flag` closes one with a note.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rq import Retry, get_current_job
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.bills.models import Bill
from app.bus import Event, record
from app.errors import Conflict, PaymentNotFound
from app.queue import PAYMENTS
from app.runtime import Runtime, current
from app.timeutil import utcnow
from payments.events import record_event
from payments.models import REFUNDED, Payment, PaymentEvent
from payments.providers.base import PermanentProviderError, RefundRequest, TransientProviderError
from payments.settlement import PaymentMoved, _notify, lock_payment

log = logging.getLogger("rabta.payments.refunds")

REFUND_RETRY_INTERVALS = [5, 30, 120, 600]


class RefundNotDue(Conflict):
    code = "refund_not_due"
    message_key = "error.refund_not_due"


@dataclass(frozen=True)
class RefundApproved(Event):
    """A supervisor approved a refund: the send job is owed (enqueued after commit)."""

    payment_id: int


def refund_reference(payment: Payment) -> str:
    return f"RF{payment.reference}"


def agency_payment(*, session: Session, reference: str, agency_id: int | None, lock: bool = False) -> Payment:
    """A payment for one of the agency's bills (another agency's does not exist for it)."""
    query = (select(Payment, Bill).join(Bill, col(Bill.id) == col(Payment.bill_id))
             .where(Payment.reference == (reference or "").strip().upper()))
    row = session.exec(query).first()
    if row is None or (agency_id is not None and row[1].agency_id != agency_id):
        raise PaymentNotFound("No payment with that reference.")
    payment = lock_payment(session, row[0].id or 0) if lock else row[0]
    if payment is None:
        raise PaymentNotFound("No payment with that reference.")
    return payment


def approve_refund(*, session: Session, reference: str, agency_id: int | None, approved_by: str) -> Payment:
    """Approve sending a refund_due payment's money back. Approving twice (a double submit, two supervisors)
    changes nothing the second time; a payment with no refund due raises RefundNotDue."""
    payment = agency_payment(session=session, reference=reference, agency_id=agency_id, lock=True)
    if not payment.refund_due or payment.status == REFUNDED:
        raise RefundNotDue("This payment has no refund due.")
    if payment.refund_approved_at is not None:
        return payment
    payment.refund_approved_at, payment.refund_approved_by = utcnow(), approved_by[:254]
    session.add(payment)
    record_event(session, payment, "refund_approved", {"by": approved_by})
    _notify(session, payment, "refund_approved", "payment.refund_approved", dedupe="refund_approved")
    record(session, RefundApproved(payment.id or 0))
    return payment


def enqueue_refunds(runtime: Runtime, events: Any) -> None:
    """Bus handler for `RefundApproved`."""
    for event in events:
        runtime.enqueue(PAYMENTS, send_refund, event.payment_id, job_id=f"refund-{event.payment_id}",
                        retry=Retry(max=len(REFUND_RETRY_INTERVALS), interval=REFUND_RETRY_INTERVALS))


def send_refund(payment_id: int) -> str:
    """The RQ job: ask the wallet to send the money back. Safe to run twice (the wallet is idempotent on the
    refund reference and the payment moves to refunded by compare-and-set)."""
    runtime = current()
    with runtime.db.transaction() as session:
        payment = lock_payment(session, payment_id)
        if payment is None or payment.status == REFUNDED or payment.refund_approved_at is None:
            return "unchanged"
        request = RefundRequest(refund_reference=refund_reference(payment), merchant_reference=payment.reference,
                                amount=payment.amount, currency=payment.currency)
        provider = runtime.wallets.get(payment.provider)
    try:
        answer = provider.refund(request)
    except TransientProviderError as exc:
        _log_attempt(runtime, payment_id, {"error": str(exc)})
        if _retries_left() > 0:
            raise
        return _refund_failed(runtime, payment_id, "provider_unavailable")
    except PermanentProviderError as exc:
        return _refund_failed(runtime, payment_id, exc.reason)
    with runtime.db.transaction() as session:
        payment = lock_payment(session, payment_id)
        if payment is None:
            return "unchanged"
        moved = session.execute(update(Payment).where(col(Payment.id) == payment_id, col(Payment.status) != REFUNDED)
                                .values(status=REFUNDED, refund_due=False, updated_at=utcnow())
                                .execution_options(synchronize_session="fetch")).rowcount  # type: ignore[attr-defined]
        if not moved:
            return "unchanged"
        record_event(session, payment, "state_change", {"to": REFUNDED, "refund": answer.raw})
        record(session, PaymentMoved(payment.rail, payment.channel, REFUNDED))
        _notify(session, payment, "refunded", "payment.refunded", dedupe="refunded")
    return REFUNDED


def _retries_left() -> int:
    job = get_current_job()
    return int(job.retries_left or 0) if job is not None else 0


def _log_attempt(runtime: Runtime, payment_id: int, payload: dict[str, Any]) -> None:
    with runtime.db.transaction() as session:
        payment = lock_payment(session, payment_id)
        record_event(session, payment, "refund_error", payload)


def _refund_failed(runtime: Runtime, payment_id: int, reason: str) -> str:
    """The wallet will not send it: the case reopens for a supervisor and the citizen is told the truth."""
    with runtime.db.transaction() as session:
        payment = lock_payment(session, payment_id)
        if payment is None or payment.status == REFUNDED:
            return "unchanged"
        payment.refund_approved_at, payment.refund_approved_by = None, None
        session.add(payment)
        attempt = len(list(session.exec(select(PaymentEvent.id).where(
            PaymentEvent.payment_id == payment_id, PaymentEvent.kind == "refund_failed"))))
        record_event(session, payment, "refund_failed", {"reason": reason})
        _notify(session, payment, "refund_failed", "payment.refund_failed", dedupe=f"refund_failed:{attempt}")
    log.warning("refund of payment %s failed: %s", payment_id, reason)
    return "refund_failed"


def resolve_flag(*, session: Session, reference: str, agency_id: int | None, note: str, resolved_by: str) -> Payment:
    """Close a reconciliation mismatch with a note (kept in the payment's event log)."""
    payment = agency_payment(session=session, reference=reference, agency_id=agency_id, lock=True)
    if payment.flag is None:
        return payment
    record_event(session, payment, "flag_resolved", {"flag": payment.flag, "note": note[:500], "by": resolved_by})
    payment.flag, payment.updated_at = None, utcnow()
    session.add(payment)
    return payment


@dataclass(frozen=True)
class PaymentFilter:
    agency_id: int | None
    status: str = ""
    rail: str = ""
    channel: str = ""
    since: Any = None  # datetime
    until: Any = None  # datetime (exclusive)
    refund_due: bool = False
    flagged: bool = False
    bill_id: int | None = None


def _payments_query(where: PaymentFilter) -> Any:
    query = select(Payment, Bill).join(Bill, col(Bill.id) == col(Payment.bill_id))
    if where.agency_id is not None:
        query = query.where(Bill.agency_id == where.agency_id)
    for column, value in ((Payment.status, where.status), (Payment.rail, where.rail),
                          (Payment.channel, where.channel)):
        if value:
            query = query.where(column == value)
    if where.since is not None:
        query = query.where(col(Payment.created_at) >= where.since)
    if where.until is not None:
        query = query.where(col(Payment.created_at) < where.until)
    if where.refund_due:
        query = query.where(col(Payment.refund_due))
    if where.flagged:
        query = query.where(col(Payment.flag).is_not(None))
    if where.bill_id is not None:
        query = query.where(Payment.bill_id == where.bill_id)
    return query.order_by(col(Payment.id).desc())


def payments(*, session: Session, where: PaymentFilter, limit: int = 25, offset: int = 0) -> list[tuple[Payment, Bill]]:
    return [(p, b) for p, b in session.exec(_payments_query(where).offset(offset).limit(limit))]


def payments_stream(*, session: Session, where: PaymentFilter, batch: int = 1000) -> Iterator[tuple[Payment, Bill]]:
    yield from session.exec(_payments_query(where).execution_options(yield_per=batch))


def events_of(*, session: Session, payment: Payment) -> list[PaymentEvent]:
    """The payment's timeline: state changes, provider answers, callbacks, refunds, oldest first."""
    query = select(PaymentEvent).where(PaymentEvent.payment_id == payment.id).order_by(col(PaymentEvent.id))
    return list(session.exec(query))
