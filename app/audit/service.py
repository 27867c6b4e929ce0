"""Writing and reading the audit log. `record` is the only writer; there is no update or delete."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from app.audit.models import AuditEntry
from app.timeutil import utcnow

# The actions the console and the agency API record (the audit page's filter offers these).
ACTIONS = ("sign_in", "sign_in.failed", "application.transition", "application.assigned", "bill.issued",
           "bill.blocked", "bill.unblocked", "refund.approved", "payment.case_resolved", "key.created",
           "key.revoked", "pii.revealed", "officer.created", "officer.disabled")


def record(*, session: Session, actor: str, action: str, subject: str = "", agency_id: int | None = None,
           detail: str = "", ip: str = "") -> AuditEntry:
    """Append one entry in the caller's transaction: it is kept exactly when the action is."""
    entry = AuditEntry(actor=actor[:254], action=action[:40], subject=subject[:120], agency_id=agency_id,
                       detail=detail[:500], ip=(ip or "")[:64], at=utcnow())
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class AuditFilter:
    agency_id: int | None = None  # None: every agency (an admin)
    actor: str = ""
    action: str = ""
    subject: str = ""
    since: date | None = None
    until: date | None = None


def _query(where: AuditFilter):  # type: ignore[no-untyped-def]
    query = select(AuditEntry)
    if where.agency_id is not None:
        query = query.where(AuditEntry.agency_id == where.agency_id)
    if where.actor:
        query = query.where(AuditEntry.actor == where.actor.strip().lower())
    if where.action:
        query = query.where(AuditEntry.action == where.action)
    if where.subject:
        query = query.where(AuditEntry.subject == where.subject.strip())
    if where.since:
        query = query.where(col(AuditEntry.at) >= datetime.combine(where.since, time.min))
    if where.until:
        query = query.where(col(AuditEntry.at) < datetime.combine(where.until + timedelta(days=1), time.min))
    return query.order_by(col(AuditEntry.id).desc())


def entries(*, session: Session, where: AuditFilter, limit: int = 50, offset: int = 0) -> list[AuditEntry]:
    return list(session.exec(_query(where).offset(offset).limit(limit)))


def stream(*, session: Session, where: AuditFilter, batch: int = 1000) -> Iterator[AuditEntry]:
    """Every matching entry, fetched `batch` rows at a time (server-side cursor): an export of 100,000 rows
    never holds them all in memory."""
    yield from session.exec(_query(where).execution_options(yield_per=batch))  # type: ignore[call-overload]
