"""Applications (service requests): submit, move along the lifecycle, look up."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.applications.models import (
    ALLOWED_TRANSITIONS,
    STATUSES,
    SUBMITTED,
    ServiceRequest,
    StatusEvent,
    TrackingSequence,
)
from app.catalogue.models import Agency, Service
from app.citizens.models import Citizen
from app.errors import IllegalTransition, InvalidTrackingNumber, ServiceRequestNotFound, ValidationFailed
from app.messages import text
from app.messages.formatting import format_date
from app.notifications.service import queue_notification
from app.timeutil import utcnow

log = logging.getLogger("rabta.applications")

TRACKING_PATTERN = re.compile(r"^([A-Z]{2,6})-?(\d{4})-?(\d{6})$")


def normalise_tracking_number(raw: str) -> str:
    """Accept `dom-2026-000001`, `DOM 2026 000001` or `DOM2026000001`."""
    compact = re.sub(r"[\s_.]+", "-", (raw or "").strip().upper())
    match = TRACKING_PATTERN.match(compact.replace("--", "-"))
    if not match:
        raise InvalidTrackingNumber("Tracking numbers look like DOM-2026-000001.")
    prefix, year, sequence = match.groups()
    return f"{prefix}-{year}-{sequence}"


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
    return f"{prefix}-{year}-{bumped:06d}"


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


def get_request(*, session: Session, tracking_number: str, lock: bool = False) -> ServiceRequest:
    number = normalise_tracking_number(tracking_number)
    query = select(ServiceRequest).where(ServiceRequest.tracking_number == number)
    if lock:
        query = query.with_for_update()
    request = session.exec(query).first()
    if request is None:
        raise ServiceRequestNotFound(f"No application {number}.")
    return request


def transition(
    *, session: Session, tracking_number: str, to_status: str, actor: str, note: str = "",
    agency_id: int | None = None,
) -> ServiceRequest:
    """Move an application to `to_status`, record the history and notify the citizen,
    all in the caller's transaction. An illegal move raises and writes nothing."""
    request = get_request(session=session, tracking_number=tracking_number, lock=True)
    if agency_id is not None and request.agency_id != agency_id:
        raise ServiceRequestNotFound(f"No application {request.tracking_number}.")
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


def list_for_citizen(*, session: Session, citizen_id: int) -> list[ServiceRequest]:
    query = (select(ServiceRequest).where(ServiceRequest.citizen_id == citizen_id)
             .order_by(ServiceRequest.submitted_at.desc()))  # type: ignore[attr-defined]
    return list(session.exec(query))


@dataclass(frozen=True)
class StatusView:
    """An application's status as every channel shows it."""

    tracking_number: str
    service_name: str
    agency_code: str
    status: str
    status_label: str
    last_changed: str
    next_step: str
    sla_due: str

    def render(self, language: str) -> str:
        return text("request.status", language, tracking=self.tracking_number, service=self.service_name,
                    status=self.status_label, changed=self.last_changed, next=self.next_step)


def status_view(*, session: Session, request: ServiceRequest, language: str) -> StatusView:
    service = session.get(Service, request.service_id)
    agency = session.get(Agency, request.agency_id)
    due = format_date(request.sla_due_at)
    return StatusView(
        tracking_number=request.tracking_number,
        service_name=service.name_in(language) if service else "",
        agency_code=agency.code if agency else "",
        status=request.status,
        status_label=text(f"status.{request.status}", language),
        last_changed=format_date(request.last_changed_at),
        next_step=text(f"next.{request.status}", language, due=due),
        sla_due=due,
    )


def lookup_status(*, session: Session, tracking_number: str, language: str) -> StatusView:
    """The one answer to "where is my application?" for USSD, SMS and the API."""
    request = get_request(session=session, tracking_number=tracking_number)
    return status_view(session=session, request=request, language=language)
