"""Lists of applications: a citizen's own, and an agency's work queue (overdue first).

Keyset pagination: each list continues strictly after the sort key of the last row
shown (`after`), so new rows never shift a page.
"""

from __future__ import annotations

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
