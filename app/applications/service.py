"""Applications (service requests): submit, move along the lifecycle, look up."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import bindparam, update
from sqlalchemy import select as columns_of
from sqlmodel import Session, col, select

from app.applications.models import (
    ALLOWED_TRANSITIONS,
    STATUSES,
    SUBMITTED,
    TERMINAL_STATUSES,
    ServiceRequest,
    StatusEvent,
    TrackingSequence,
)
from app.applications.tracking import format_tracking_number, new_check_part, normalise_tracking_number
from app.catalogue.models import Agency, Service, name_in
from app.citizens.models import Citizen
from app.errors import IllegalTransition, ServiceRequestNotFound, StaleStatus, ValidationFailed
from app.messages import text
from app.messages.formatting import format_date
from app.notifications.service import queue_notification
from app.timeutil import utcnow

log = logging.getLogger("rabta.applications")


class StatusFields(Protocol):
    """What an answer about an application reads of it: a `ServiceRequest`, or a row of those columns."""

    tracking_number: str
    status: str
    citizen_id: int
    agency_id: int
    details: dict[str, Any]
    submitted_at: datetime
    sla_due_at: datetime
    last_changed_at: datetime


@dataclass(frozen=True)
class Viewer:
    """Who is asking about an application: a citizen (by account) or an agency (its officers and keys).

    `everyone` is the platform admin's view. A viewer with neither sees nothing (an unknown number)."""

    citizen_id: int | None = None
    agency_id: int | None = None
    everyone: bool = False

    def may_see(self, request: StatusFields) -> bool:
        """The one visibility rule: the applicant and the agency that handles it, nobody else."""
        if self.everyone:
            return True
        if self.citizen_id is not None and request.citizen_id == self.citizen_id:
            return True
        return self.agency_id is not None and request.agency_id == self.agency_id


def is_overdue(request: StatusFields, now: datetime) -> bool:
    """Still open and past its service-level due time."""
    return request.status not in TERMINAL_STATUSES and request.sla_due_at < now


def next_tracking_number(*, session: Session, prefix: str, year: int) -> str:
    """Allocate the next number of the year; the row update serialises concurrent callers."""
    bumped = session.execute(
        update(TrackingSequence).where(col(TrackingSequence.year) == year)
        .values(last_value=col(TrackingSequence.last_value) + 1).returning(col(TrackingSequence.last_value))
    ).scalar()
    if bumped is None:
        session.add(TrackingSequence(year=year, last_value=1))
        session.flush()
        bumped = 1
    return format_tracking_number(prefix, year, bumped, new_check_part())


def submit_request(
    *, session: Session, citizen: Citizen, service: Service, details: dict[str, Any] | None = None,
    actor: str = "citizen", submitted_at: datetime | None = None,
) -> ServiceRequest:
    details = validate_details(service, details or {})
    when = submitted_at or utcnow()
    request = ServiceRequest(
        tracking_number=next_tracking_number(session=session, prefix=service.code, year=when.year),
        citizen_id=citizen.id or 0, service_id=service.id or 0, agency_id=service.agency_id,
        status=SUBMITTED, details=details, submitted_at=when, last_changed_at=when,
        sla_due_at=when + timedelta(days=service.sla_days),
    )
    session.add(request)
    session.flush()
    session.add(StatusEvent(request_id=request.id or 0, from_status=None, to_status=SUBMITTED,
                            actor=actor, created_at=when))
    session.flush()
    return request


def validate_details(service: Service, details: dict[str, Any]) -> dict[str, Any]:
    """Check an application's fields against what the service requires."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name, rule in (service.required_fields or {}).items():
        value = str(details.get(name, "")).strip()
        if not value:
            if rule.get("required", True):
                errors[name] = "required"
            continue
        if rule.get("pattern") and not re.fullmatch(rule["pattern"], value):
            errors[name] = "invalid format"
        clean[name] = value[:500]
    unknown = set(details) - set(service.required_fields or {})
    errors.update({name: "unknown field" for name in unknown})
    if errors:
        raise ValidationFailed("Some application fields are missing or invalid.", field_errors=errors)
    return clean


def get_request(*, session: Session, tracking_number: str, viewer: Viewer, lock: bool = False) -> ServiceRequest:
    """The application `viewer` may see; one they may not see is answered exactly like one that does not
    exist, so no channel becomes an oracle for other people's (sequential) tracking numbers."""
    number = normalise_tracking_number(tracking_number)
    query = select(ServiceRequest).where(ServiceRequest.tracking_number == number)
    if lock:
        query = query.with_for_update()
    return _visible(session.exec(query).first(), viewer, number)


Visible = TypeVar("Visible", bound=StatusFields)


def _visible(request: Visible | None, viewer: Viewer, number: str) -> Visible:
    if request is None or not viewer.may_see(request):
        raise ServiceRequestNotFound(f"No application {number}.")
    return request


def transition(
    *, session: Session, tracking_number: str, to_status: str, actor: str, viewer: Viewer, note: str = "",
    expected_status: str | None = None,
) -> ServiceRequest:
    """Move an application to `to_status`, record the history and notify the citizen,
    all in the caller's transaction. An illegal move raises and writes nothing.

    `expected_status` is the status the mover saw (the console's form carries it): under the row lock, an
    application someone else moved meanwhile raises `StaleStatus` instead of being moved twice."""
    request = get_request(session=session, tracking_number=tracking_number, viewer=viewer, lock=True)
    if expected_status is not None and request.status != expected_status:
        raise StaleStatus(f"{request.tracking_number} was moved to {request.status} meanwhile.",
                          current_status=request.status)
    if to_status not in STATUSES:
        raise ValidationFailed(f"Unknown status {to_status!r}.", field_errors={"to": "unknown status"})
    if to_status not in ALLOWED_TRANSITIONS[request.status]:
        raise IllegalTransition(f"An application cannot go from {request.status} to {to_status}.",
                                from_status=request.status, to_status=to_status)
    now = utcnow()
    session.add(StatusEvent(request_id=request.id or 0, from_status=request.status, to_status=to_status,
                            note=note[:500], actor=actor[:80], created_at=now))
    request.status = to_status
    request.last_changed_at = now
    session.add(request)
    _notify_status_change(session, request)
    session.flush()
    log.info("application %s -> %s by %s", request.tracking_number, to_status, actor)
    return request


def sla_days_remaining(request: ServiceRequest, now: datetime) -> int:
    """Whole days until the service-level due time (negative once overdue)."""
    return (request.sla_due_at - now).days


def assign(*, session: Session, tracking_numbers: list[str], officer_id: int | None, viewer: Viewer) -> int:
    """Give applications to an officer (None: unassign). Every number must be visible to `viewer`:
    one that is not raises ServiceRequestNotFound and nothing is assigned."""
    requests = [get_request(session=session, tracking_number=number, viewer=viewer, lock=True)
                for number in tracking_numbers]
    for request in requests:
        request.assigned_officer_id = officer_id
        session.add(request)
    session.flush()
    return len(requests)


def _notify_status_change(session: Session, request: ServiceRequest) -> None:
    citizen = session.get(Citizen, request.citizen_id)
    if citizen is None:
        return
    view = status_view(session=session, request=request, language=citizen.language)
    queue_notification(
        session=session, citizen=citizen, kind="status_change", template="notify.status_change",
        params={"tracking": view.tracking_number, "service": view.service_name, "status": view.status_label,
                "next": view.next_step},
    )


def history(*, session: Session, request: ServiceRequest) -> list[StatusEvent]:
    query = (select(StatusEvent).where(StatusEvent.request_id == request.id)
             .order_by(StatusEvent.created_at, StatusEvent.id))  # type: ignore[arg-type]
    return list(session.exec(query))


@dataclass(frozen=True)
class StatusView:
    """An application's status as every channel shows it (the API serialises it as it is)."""

    tracking_number: str
    service_code: str
    service_name: str
    agency_code: str
    status: str
    status_label: str
    last_changed: str
    next_step: str
    sla_due: str
    submitted_at: datetime
    last_changed_at: datetime
    sla_due_at: datetime
    overdue: bool
    details: dict[str, str]

    def render(self, language: str) -> str:
        return text("request.status", language, tracking=self.tracking_number, service=self.service_name,
                    status=self.status_label, changed=self.last_changed, next=self.next_step)


def status_view(*, session: Session, request: ServiceRequest, language: str) -> StatusView:
    # The service and its agency's code in one query.
    found = session.exec(select(Service, Agency.code).outerjoin(Agency, col(Agency.id) == request.agency_id)
                         .where(col(Service.id) == request.service_id)).first()
    service, agency_code = found if found is not None else (None, None)
    return _status_view(request, service.code if service else "", service.name_in(language) if service else "",
                        agency_code, language)


def _status_view(request: StatusFields, service_code: str, service_name: str, agency_code: str | None,
                 language: str) -> StatusView:
    due = format_date(request.sla_due_at)
    return StatusView(
        tracking_number=request.tracking_number,
        service_code=service_code,
        service_name=service_name,
        agency_code=agency_code or "",
        status=request.status,
        status_label=text(f"status.{request.status}", language),
        last_changed=format_date(request.last_changed_at),
        next_step=text(f"next.{request.status}", language, due=due),
        sla_due=due,
        submitted_at=request.submitted_at,
        last_changed_at=request.last_changed_at,
        sla_due_at=request.sla_due_at,
        overdue=is_overdue(request, utcnow()),
        details={str(key): str(value) for key, value in (request.details or {}).items()},
    )


@dataclass(frozen=True)
class HistoryEntry:
    """One status change, as the applicant's timeline and the console's show it."""

    from_status: str | None
    to_status: str
    status_label: str
    note: str
    actor: str
    at: datetime


def history_view(*, session: Session, request: ServiceRequest, language: str) -> list[HistoryEntry]:
    return [HistoryEntry(from_status=event.from_status, to_status=event.to_status,
                         status_label=text(f"status.{event.to_status}", language), note=event.note,
                         actor=event.actor, at=event.created_at)
            for event in history(session=session, request=request)]


# Built once (making a statement anew costs about as much as sending it), and plain columns: loading the
# application and its service as objects cost more than the query (issue 15).
_STATUS_COLUMNS: tuple[Any, ...] = (
    ServiceRequest.tracking_number, ServiceRequest.status, ServiceRequest.citizen_id, ServiceRequest.agency_id,
    ServiceRequest.details, ServiceRequest.submitted_at, ServiceRequest.sla_due_at, ServiceRequest.last_changed_at,
    col(Service.code).label("service_code"), Service.name_en, Service.name_ur, Service.name_ur_latn,
    col(Agency.code).label("agency_code"))
_BY_TRACKING_NUMBER = (columns_of(*_STATUS_COLUMNS)
                       .outerjoin(Service, col(Service.id) == ServiceRequest.service_id)
                       .outerjoin(Agency, col(Agency.id) == ServiceRequest.agency_id)
                       .where(col(ServiceRequest.tracking_number) == bindparam("number")))


def lookup_status(*, session: Session, tracking_number: str, viewer: Viewer, language: str) -> StatusView:
    """The one answer to "where is my application?" for USSD, SMS and the API: the application, its service
    and its agency's code in one query (every status answer of every channel comes here)."""
    number = normalise_tracking_number(tracking_number)
    row = _visible(session.connection().execute(_BY_TRACKING_NUMBER, {"number": number}).first(), viewer, number)
    service_name = (name_in(language, row.name_en, row.name_ur, row.name_ur_latn)
                    if row.service_code is not None else "")
    return _status_view(row, row.service_code or "", service_name, row.agency_code, language)
