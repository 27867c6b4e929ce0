"""Arranging raw rows for the analytics tests and reading the roll-ups back."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from analytics.models import Rollup
from app.bills.models import Bill
from payments.models import Payment
from tests.factories import make_bill

_refs = itertools.count(1)


def add_payment(session: Session, bill: Bill, *, at: datetime, channel: str = "app", rail: str = "wallet",
                status: str = "succeeded", amount: int = 10_000, settle_seconds: float | None = 5,
                reason: str | None = None, updated: datetime | None = None) -> Payment:
    settled = at.timestamp() + settle_seconds if status == "succeeded" and settle_seconds is not None else None
    payment = Payment(reference=f"PT{next(_refs):08d}", bill_id=bill.id or 0, channel=channel, rail=rail,
                      provider="sandbox", amount=amount, status=status, created_at=at, updated_at=updated or at,
                      settled_at=datetime.fromtimestamp(settled, at.tzinfo) if settled is not None else None,
                      failure_reason=reason if status == "failed" else None, citizen_id=bill.citizen_id)
    session.add(payment)
    return payment


def rollups(session: Session, metric: str | None = None) -> dict[tuple[Any, ...], tuple[int, int, Any]]:
    query = select(Rollup)
    if metric:
        query = query.where(col(Rollup.metric) == metric)
    return {(r.bucket, r.metric, r.agency_id, r.channel, r.dim): (r.count, r.total, r.hist)
            for r in session.exec(query)}


__all__ = ["add_payment", "make_bill", "rollups"]
