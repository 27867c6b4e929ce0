"""Lists of applications: a citizen's own, and an agency's work queue (overdue first).

Keyset pagination: each list continues strictly after the sort key of the last row
shown (`after`), so new rows never shift a page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, or_
from sqlmodel import Session, col, select

from app.applications.models import TERMINAL_STATUSES, ServiceRequest


def overdue_rank(now: datetime) -> Any:
    """SQL for "is this application overdue?" (see `service.is_overdue`): 0 when still open and past
    its service-level due time, else 1, so an agency's queue shows those first."""
    return case((and_(col(ServiceRequest.status).not_in(TERMINAL_STATUSES),
                      col(ServiceRequest.sla_due_at) < now), 0), else_=1)


def requests_for_citizen(*, session: Session, citizen_id: int, status: str | None,
                         after: tuple[datetime, int] | None, limit: int) -> list[ServiceRequest]:
    """Newest first by submission time (then id); `after` is (submitted_at, id) of the last row shown."""
    submitted, ident = col(ServiceRequest.submitted_at), col(ServiceRequest.id)
    query = select(ServiceRequest).where(ServiceRequest.citizen_id == citizen_id)
    if status:
        query = query.where(ServiceRequest.status == status)
    if after is not None:
        at, last_id = after
        query = query.where(or_(submitted < at, and_(submitted == at, ident < last_id)))
    return list(session.exec(query.order_by(submitted.desc(), ident.desc()).limit(limit)))


def requests_for_agency(*, session: Session, agency_id: int, now: datetime, status: str | None = None,
                        after: tuple[int, datetime, int] | None = None,
                        limit: int = 20) -> list[tuple[ServiceRequest, int]]:
    """Overdue first, then by SLA due time (earliest first), then id; `after` is (rank, due, id)."""
    rank, due, ident = overdue_rank(now), col(ServiceRequest.sla_due_at), col(ServiceRequest.id)
    query = select(ServiceRequest, rank).where(ServiceRequest.agency_id == agency_id)
    if status:
        query = query.where(ServiceRequest.status == status)
    if after is not None:
        after_rank, after_due, after_id = after
        query = query.where(or_(rank > after_rank,
                                and_(rank == after_rank,
                                     or_(due > after_due, and_(due == after_due, ident > after_id)))))
    rows = session.exec(query.order_by(rank, due, ident).limit(limit))  # type: ignore[call-overload]
    return [(request, int(request_rank)) for request, request_rank in rows]


ASSIGNED_TO_ME, UNASSIGNED, ANYONE = "me", "unassigned", "all"


@dataclass(frozen=True)
class InboxFilter:
    """The console inbox's filters; `citizen_ids` comes from a phone/CNIC search (citizens service lookups)."""

    agency_id: int | None  # None: every agency (a platform admin)
    status: str = ""
    service_id: int | None = None
    assigned: str = ANYONE
    officer_id: int | None = None
    overdue_only: bool = False
    tracking_number: str = ""
    citizen_ids: tuple[int, ...] | None = None


def _inbox_query(where: InboxFilter, now: datetime) -> Any:
    rank = overdue_rank(now)
    query = select(ServiceRequest, rank)
    if where.agency_id is not None:
        query = query.where(ServiceRequest.agency_id == where.agency_id)
    if where.status:
        query = query.where(ServiceRequest.status == where.status)
    if where.service_id is not None:
        query = query.where(ServiceRequest.service_id == where.service_id)
    if where.assigned == ASSIGNED_TO_ME:
        query = query.where(ServiceRequest.assigned_officer_id == where.officer_id)
    elif where.assigned == UNASSIGNED:
        query = query.where(col(ServiceRequest.assigned_officer_id).is_(None))
    if where.overdue_only:
        query = query.where(rank == 0)
    if where.tracking_number:
        query = query.where(ServiceRequest.tracking_number == where.tracking_number)
    if where.citizen_ids is not None:
        query = query.where(col(ServiceRequest.citizen_id).in_(where.citizen_ids or (-1,)))
    return query.order_by(rank, col(ServiceRequest.sla_due_at), col(ServiceRequest.id))


def inbox(*, session: Session, where: InboxFilter, now: datetime, limit: int = 25,
          offset: int = 0) -> list[ServiceRequest]:
    """The agency's queue: overdue first, then by SLA due time (the agency API's order, `requests_for_agency`)."""
    rows = session.exec(_inbox_query(where, now).offset(offset).limit(limit))
    return [request for request, _rank in rows]


def inbox_stream(*, session: Session, where: InboxFilter, now: datetime,
                 batch: int = 1000) -> Iterator[ServiceRequest]:
    """The whole filtered queue, `batch` rows at a time (server-side cursor) for CSV export."""
    for request, _rank in session.exec(_inbox_query(where, now).execution_options(yield_per=batch)):
        yield request
