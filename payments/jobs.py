"""Payment jobs: importable functions taking ids, safe to run twice or concurrently.

Provider HTTP calls happen outside database transactions, so a slow wallet never
holds SQLite's write lock; every state change afterwards is a compare-and-set.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from rq import Retry, get_current_job
from sqlmodel import col, select

from app.bills.models import Bill
from app.bus import Event
from app.queue import PAYMENTS
from app.runtime import Runtime, current
from app.timeutil import utcnow
from payments.events import record_event
from payments.models import IN_FLIGHT, INITIATED, RAIL_WALLET, SUCCEEDED, Payment
from payments.payability import payability
from payments.providers.base import (
    CHARGE_NOT_FOUND,
    ChargeRequest,
    ChargeStatus,
    PermanentProviderError,
    TransientProviderError,
)
from payments.settlement import UNCHANGED, apply_provider_status, fail_payment, lock_payment

log = logging.getLogger("rabta.payments")

CHARGE_RETRY_INTERVALS = [2, 10, 30, 60]
# Why a payment is failed when its bill stopped being payable before we charged anyone.
_REFUSAL_REASONS = {"paid": "bill_already_paid", "blocked": "bill_blocked"}
BATCH = 200


@dataclass(frozen=True)
class PaymentCallbackAccepted(Event):
    """A verified provider callback about a payment: confirm with the provider before acting."""

    payment_id: int


def enqueue_charge(runtime: Runtime, payment_id: int) -> None:
    runtime.enqueue(PAYMENTS, charge_payment, payment_id,
                    retry=Retry(max=len(CHARGE_RETRY_INTERVALS), interval=CHARGE_RETRY_INTERVALS))


def enqueue_charges(runtime: Runtime, events: Sequence[Event]) -> None:
    """Bus handler for `PaymentStarted`."""
    for event in events:
        enqueue_charge(runtime, event.payment_id)  # type: ignore[attr-defined]


def enqueue_confirmations(runtime: Runtime, events: Sequence[Event]) -> None:
    """Bus handler for `PaymentCallbackAccepted`."""
    for event in events:
        runtime.enqueue(PAYMENTS, confirm_payment, event.payment_id)  # type: ignore[attr-defined]


def charge_payment(payment_id: int) -> str:
    """Ask the payer's wallet for the money. Transient errors retry with backoff;
    permanent ones (and the last failed retry) fail the payment with a readable reason."""
    runtime = current()
    with runtime.db.transaction() as session:
        payment = lock_payment(session, payment_id)
        if payment is None or payment.status != INITIATED:
            return UNCHANGED
        bill = session.get(Bill, payment.bill_id)
        answer = payability(session=session, bill=bill, on=runtime.today(), ignoring_payment_id=payment.id)
        if bill is None or answer.reason is not None:  # settled on another rail or blocked meanwhile: charge nobody
            return fail_payment(session, payment, _REFUSAL_REASONS.get(answer.reason or "", "not_payable"))
        request = ChargeRequest(merchant_reference=payment.reference, amount=payment.amount,
                                currency=payment.currency, msisdn=payment.msisdn or "",
                                description=f"PSID {bill.psid}")
        provider = runtime.wallets.get(payment.provider)
        record_event(session, payment, "charge_request", {"amount": request.amount, "currency": request.currency})
    try:
        status = provider.start_charge(request)
    except PermanentProviderError as exc:
        return _fail(runtime, payment_id, exc.reason, {"error": str(exc)})
    except TransientProviderError as exc:
        if _retries_left() > 0:
            log.warning("charge of payment %s: %s; will retry", payment_id, exc)
            raise
        return _fail(runtime, payment_id, "provider_unavailable", {"error": str(exc)})
    with runtime.db.transaction() as session:
        payment = lock_payment(session, payment_id)
        if payment is None:
            return UNCHANGED
        record_event(session, payment, "charge_response", status.raw)
        return apply_provider_status(session, payment, status)


def _retries_left() -> int:
    job = get_current_job()
    return int(job.retries_left or 0) if job is not None else 0


def _fail(runtime: Runtime, payment_id: int, reason: str, payload: dict[str, Any]) -> str:
    with runtime.db.transaction() as session:
        payment = lock_payment(session, payment_id)
        if payment is None:
            return UNCHANGED
        record_event(session, payment, "charge_error", {"reason": reason, **payload})
        return fail_payment(session, payment, reason)


def sync_payment(runtime: Runtime, payment_id: int) -> str:
    """Ask the provider about one payment and act on its answer; 'unreachable' if it does not answer.

    A payment already settled is final: no answer could change it (settling again is a no-op, failing needs
    it in flight), so nobody is asked. That is the common case of a callback that raced the charge job's own
    answer: its confirmation job finds the payment settled."""
    with runtime.db.transaction(immediate=False) as session:
        payment = session.get(Payment, payment_id)
        if payment is None or payment.rail != RAIL_WALLET or payment.status == SUCCEEDED:
            return UNCHANGED
        reference, provider_reference, provider_name = payment.reference, payment.provider_reference, payment.provider
    provider = runtime.wallets.get(provider_name)
    try:
        status = provider.query_charge(merchant_reference=reference, provider_reference=provider_reference)
    except TransientProviderError as exc:
        log.warning("status query for payment %s failed: %s", payment_id, exc)
        return "unreachable"
    return _apply(runtime, payment_id, status)


def _apply(runtime: Runtime, payment_id: int, status: ChargeStatus) -> str:
    with runtime.db.transaction() as session:
        payment = lock_payment(session, payment_id)
        if payment is None:
            return UNCHANGED
        record_event(session, payment, "status_query", status.raw or {"state": status.state})
        if status.state == CHARGE_NOT_FOUND:
            return CHARGE_NOT_FOUND
        return apply_provider_status(session, payment, status)


def confirm_payment(payment_id: int) -> str:
    """After a verified callback: confirm with the provider's status endpoint, then act."""
    return sync_payment(current(), payment_id)


def _stale_in_flight(runtime: Runtime, older_than_seconds: int) -> list[int]:
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    with runtime.db.transaction(immediate=False) as session:
        query = (select(Payment.id).where(col(Payment.status).in_(IN_FLIGHT), Payment.rail == RAIL_WALLET,
                                          col(Payment.updated_at) < cutoff)
                 .order_by(col(Payment.id)).limit(BATCH))
        return [int(i) for i in session.exec(query) if i is not None]


def sync_stale_in_flight(runtime: Runtime) -> list[str]:
    """Ask the provider about each in-flight payment nothing has happened to for PAYMENT_PENDING_POLL_AFTER_SECONDS
    (a lost callback, a charge job lost with its worker); one the provider never saw is charged again.

    Younger ones are left to the jobs working on them: asking about a payment whose charge job is still queued
    would find nothing and queue a second charge job (harmless, charges are idempotent on our reference, but it
    doubles the work exactly when a backlog is building). Returns each payment's outcome."""
    outcomes = []
    for payment_id in _stale_in_flight(runtime, runtime.settings.PAYMENT_PENDING_POLL_AFTER_SECONDS):
        outcome = sync_payment(runtime, payment_id)
        if outcome == CHARGE_NOT_FOUND:
            outcome = _recharge_if_initiated(runtime, payment_id)
        outcomes.append(outcome)
    return outcomes


def poll_pending() -> dict[str, int]:
    """A lost callback must not leave a payment pending forever: ask the provider."""
    counts: dict[str, int] = {}
    for outcome in sync_stale_in_flight(current()):
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _recharge_if_initiated(runtime: Runtime, payment_id: int) -> str:
    """The provider never saw it (the charge job died before asking): ask again."""
    with runtime.db.transaction(immediate=False) as session:
        payment = session.get(Payment, payment_id)
        if payment is None or payment.status != INITIATED:
            return CHARGE_NOT_FOUND
    enqueue_charge(runtime, payment_id)
    return "recharged"


def expire_stale() -> dict[str, int]:
    runtime = current()
    from payments.reconciliation import expire_overdue

    return expire_overdue(runtime)


def reconcile_payments() -> dict[str, Any]:
    from payments.reconciliation import reconcile

    return reconcile(current()).as_dict()
