"""Read-only list queries behind the API's cursor pagination.

A cursor is the opaque, URL-safe encoding of the sort key of the last item shown;
the next page continues strictly after it, so inserts never shift pages.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import and_, case, or_
from sqlmodel import Session, col, select

from app.applications.models import TERMINAL_STATUSES, ServiceRequest
from app.bills.models import Bill
from app.errors import ValidationFailed
from app.timeutil import utcnow

T = TypeVar("T")
MAX_CURSOR_INT = 2**53  # beyond any id; keeps forged cursors inside what every database binds


def encode_cursor(*values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, *shape: type) -> list[Any] | None:
    """The values of a cursor, checked against the expected types (a forged cursor is a 422, not a 500)."""
    if cursor is None:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        values = None
    if (not isinstance(values, list) or len(values) != len(shape)
            or not all(type(v) is kind for v, kind in zip(values, shape, strict=False))
            or any(isinstance(v, int) and abs(v) > MAX_CURSOR_INT for v in values)):
        raise ValidationFailed("That cursor is not valid.", field_errors={"cursor": "invalid"})
    return values


def cursor_int(cursor: str | None) -> int | None:
    values = decode_cursor(cursor, int)
    return None if values is None else int(values[0])


def cursor_time(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationFailed("That cursor is not valid.", field_errors={"cursor": "invalid"}) from exc


def page(rows: Sequence[T], limit: int, key: Callable[[T], tuple[Any, ...]]) -> tuple[list[T], str | None]:
    """Rows were fetched with `limit + 1`; the extra row only says whether there is a next page."""
    shown = list(rows[:limit])
    if len(rows) <= limit or not shown:
        return shown, None
    return shown, encode_cursor(*key(shown[-1]))


def bills_for_citizen(*, session: Session, citizen_id: int, status: str | None, before_id: int | None,
                      limit: int) -> list[Bill]:
    query = select(Bill).where(Bill.citizen_id == citizen_id)
    if status:
        query = query.where(Bill.status == status)
    if before_id is not None:
        query = query.where(col(Bill.id) < before_id)
    return list(session.exec(query.order_by(col(Bill.id).desc()).limit(limit + 1)))


def requests_for_citizen(*, session: Session, citizen_id: int, status: str | None, after: list[Any] | None,
                         limit: int) -> list[ServiceRequest]:
    """Newest first by submission time (then id)."""
    submitted, ident = col(ServiceRequest.submitted_at), col(ServiceRequest.id)
    query = select(ServiceRequest).where(ServiceRequest.citizen_id == citizen_id)
    if status:
        query = query.where(ServiceRequest.status == status)
    if after is not None:
        at = cursor_time(after[0])  # shape (str, int) checked by decode_cursor
        query = query.where(or_(submitted < at, and_(submitted == at, ident < int(after[1]))))
    return list(session.exec(query.order_by(submitted.desc(), ident.desc()).limit(limit + 1)))


def overdue_rank() -> Any:
    """0 for applications past their SLA and still open, else 1: agencies see those first."""
    return case((and_(col(ServiceRequest.status).not_in(TERMINAL_STATUSES),
                      col(ServiceRequest.sla_due_at) < utcnow()), 0), else_=1)


def requests_for_agency(*, session: Session, agency_id: int, status: str | None, after: list[Any] | None,
                        limit: int) -> list[tuple[ServiceRequest, int]]:
    """Overdue first, then by SLA due time (earliest first), then id."""
    rank, due, ident = overdue_rank(), col(ServiceRequest.sla_due_at), col(ServiceRequest.id)
    query = select(ServiceRequest, rank).where(ServiceRequest.agency_id == agency_id)
    if status:
        query = query.where(ServiceRequest.status == status)
    if after is not None:
        after_rank, after_due, after_id = int(after[0]), cursor_time(after[1]), int(after[2])
        query = query.where(or_(rank > after_rank,
                                and_(rank == after_rank,
                                     or_(due > after_due, and_(due == after_due, ident > after_id)))))
    rows = session.exec(query.order_by(rank, due, ident).limit(limit + 1))  # type: ignore[call-overload]
    return [(request, int(request_rank)) for request, request_rank in rows]
