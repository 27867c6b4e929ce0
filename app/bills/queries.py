"""An agency's bills as the console lists and exports them (filters: status, kind, overdue)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_
from sqlmodel import Session, col, select

from app.bills.models import UNPAID, Bill


@dataclass(frozen=True)
class BillFilter:
    agency_id: int | None  # None: every agency (a platform admin)
    status: str = ""
    kind: str = ""
    overdue_on: date | None = None  # only bills overdue on this day (see `service.is_overdue`)
    psid: str = ""


def _query(where: BillFilter) -> Any:
    query = select(Bill)
    if where.agency_id is not None:
        query = query.where(Bill.agency_id == where.agency_id)
    if where.status:
        query = query.where(Bill.status == where.status)
    if where.kind:
        query = query.where(Bill.kind == where.kind)
    if where.overdue_on is not None:  # the SQL form of `app.bills.service.is_overdue`
        query = query.where(and_(col(Bill.status) == UNPAID, col(Bill.due_date) < where.overdue_on))
    if where.psid:
        query = query.where(Bill.psid == where.psid)
    return query.order_by(col(Bill.id).desc())


def bills(*, session: Session, where: BillFilter, limit: int = 25, offset: int = 0) -> list[Bill]:
    return list(session.exec(_query(where).offset(offset).limit(limit)))


def bills_stream(*, session: Session, where: BillFilter, batch: int = 1000) -> Iterator[Bill]:
    yield from session.exec(_query(where).execution_options(yield_per=batch))


def agency_bill(*, session: Session, psid: str, agency_id: int | None) -> Bill:
    """One bill the agency may see (another agency's is BillNotFound, like one that does not exist)."""
    from app.bills.service import get_bill
    from app.errors import BillNotFound

    bill = get_bill(session=session, psid=psid)
    if agency_id is not None and bill.agency_id != agency_id:
        raise BillNotFound("No bill with that PSID.")
    return bill
