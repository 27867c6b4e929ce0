"""Reconciliation: our books against the provider's, every 15 minutes and on demand.

In-flight payments are asked about once nothing has happened to them for PAYMENT_PENDING_POLL_AFTER_SECONDS
(the rule polling uses); younger ones are still their jobs' work.

It settles what the provider confirms, fails what it refused, expires what waited too
long, turns money that arrived after we gave up into refund cases, flags anything
that does not add up, and returns a summary. Running it twice changes nothing more.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import col, select

from app.bills.models import PAID, Bill
from app.runtime import Runtime
from app.timeutil import utcnow
from payments.jobs import sync_payment, sync_stale_in_flight
from payments.models import EXPIRED, FAILED, IN_FLIGHT, RAIL_WALLET, SUCCEEDED, Payment
from payments.providers.base import CHARGE_NOT_FOUND
from payments.settlement import MISMATCH, REFUND_DUE, SETTLED, fail_payment, flag, lock_payment

BATCH = 500


@dataclass
class ReconcileSummary:
    checked: int = 0
    settled: int = 0
    failed: int = 0
    expired: int = 0
    refund_due: int = 0
    still_pending: int = 0
    recharged: int = 0
    unreachable: int = 0
    mismatches: int = 0
    open_refunds: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        attribute = {SETTLED: "settled", FAILED: "failed", EXPIRED: "expired", REFUND_DUE: "refund_due",
                     "pending": "still_pending", "recharged": "recharged", "unreachable": "unreachable",
                     MISMATCH: "mismatches"}.get(outcome)
        if attribute:
            setattr(self, attribute, getattr(self, attribute) + 1)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def reconcile(runtime: Runtime) -> ReconcileSummary:
    summary = ReconcileSummary()
    for outcome in sync_stale_in_flight(runtime):
        summary.checked += 1
        summary.count("pending" if outcome == CHARGE_NOT_FOUND else outcome)
    for outcome, number in expire_overdue(runtime).items():
        for _ in range(number):
            summary.count(outcome)
    for payment_id in _recently_given_up(runtime):
        summary.checked += 1
        outcome = sync_payment(runtime, payment_id)
        if outcome in (REFUND_DUE, MISMATCH, "unreachable"):
            summary.count(outcome)
    summary.mismatches += _check_bill_links(runtime)
    with runtime.db.transaction(immediate=False) as session:
        summary.open_refunds = len(list(session.exec(select(Payment.id).where(col(Payment.refund_due)))))
    return summary


def _ids(runtime: Runtime, *conditions: Any) -> list[int]:
    with runtime.db.transaction(immediate=False) as session:
        query = (select(Payment.id).where(Payment.rail == RAIL_WALLET, *conditions)
                 .order_by(col(Payment.id)).limit(BATCH))
        return [int(i) for i in session.exec(query) if i is not None]


def expire_overdue(runtime: Runtime) -> dict[str, int]:
    """Payments in flight longer than PAYMENT_EXPIRE_AFTER_SECONDS: one last word from the provider, then expire."""
    cutoff = utcnow() - timedelta(seconds=runtime.settings.PAYMENT_EXPIRE_AFTER_SECONDS)
    counts: dict[str, int] = {}
    for payment_id in _ids(runtime, col(Payment.status).in_(IN_FLIGHT), col(Payment.created_at) < cutoff):
        outcome = sync_payment(runtime, payment_id)
        if outcome not in (SETTLED, FAILED, REFUND_DUE, MISMATCH):
            with runtime.db.transaction() as session:
                payment = lock_payment(session, payment_id)
                outcome = fail_payment(session, payment, "expired", status=EXPIRED) if payment else outcome
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _recently_given_up(runtime: Runtime) -> list[int]:
    """Expired payments, and ones failed only because the provider was down: their money may still come."""
    since = utcnow() - timedelta(hours=runtime.settings.PAYMENT_RECONCILE_LOOKBACK_HOURS)
    gave_up = or_(col(Payment.status) == EXPIRED,
                  and_(col(Payment.status) == FAILED, col(Payment.failure_reason) == "provider_unavailable"))
    return _ids(runtime, gave_up, col(Payment.refund_due).is_(False), col(Payment.updated_at) >= since)


def _check_bill_links(runtime: Runtime) -> int:
    """Every succeeded payment settled its bill, and every settled bill points at a succeeded payment."""
    problems = 0
    since = utcnow() - timedelta(hours=runtime.settings.PAYMENT_RECONCILE_LOOKBACK_HOURS)
    with runtime.db.transaction() as session:
        query = (select(Payment, Bill).join(Bill, col(Bill.id) == col(Payment.bill_id))
                 .where(Payment.status == SUCCEEDED, col(Payment.updated_at) >= since,
                        or_(col(Bill.status) != PAID, col(Bill.settled_by_payment_id) != col(Payment.id))))
        for payment, _bill in session.exec(query):
            flag(session, payment, "bill_not_settled_by_payment", {"bill_id": payment.bill_id})
            problems += 1
    return problems
