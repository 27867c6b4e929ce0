from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from app.timeutil import UTCDateTime, utcnow

SUBMITTED = "submitted"
UNDER_REVIEW = "under_review"
INFO_REQUESTED = "info_requested"
APPROVED = "approved"
READY_FOR_COLLECTION = "ready_for_collection"
COMPLETED = "completed"
REJECTED = "rejected"
CANCELLED = "cancelled"

STATUSES = (SUBMITTED, UNDER_REVIEW, INFO_REQUESTED, APPROVED, READY_FOR_COLLECTION, COMPLETED, REJECTED,
            CANCELLED)

# The one place the application lifecycle is defined.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    SUBMITTED: frozenset({UNDER_REVIEW, REJECTED, CANCELLED}),
    UNDER_REVIEW: frozenset({INFO_REQUESTED, APPROVED, REJECTED, CANCELLED}),
    INFO_REQUESTED: frozenset({UNDER_REVIEW, REJECTED, CANCELLED}),
    APPROVED: frozenset({READY_FOR_COLLECTION, CANCELLED}),
    READY_FOR_COLLECTION: frozenset({COMPLETED}),
    COMPLETED: frozenset(),
    REJECTED: frozenset(),
    CANCELLED: frozenset(),
}
TERMINAL_STATUSES = frozenset(s for s, targets in ALLOWED_TRANSITIONS.items() if not targets)


class ServiceRequest(SQLModel, table=True):
    """An application a citizen made for a service, tracked by a human tracking number."""

    __tablename__ = "service_request"

    id: int | None = Field(default=None, primary_key=True)
    tracking_number: str = Field(max_length=24, unique=True)
    citizen_id: int = Field(foreign_key="citizen.id", index=True)
    service_id: int = Field(foreign_key="service.id", index=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    status: str = Field(default=SUBMITTED, max_length=24, index=True)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    submitted_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    sla_due_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_changed_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    # The console officer working it (NULL: unassigned); a supervisor assigns.
    assigned_officer_id: int | None = Field(default=None, foreign_key="officer.id", index=True)


class StatusEvent(SQLModel, table=True):
    """Append-only history of an application's status changes."""

    __tablename__ = "status_event"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="service_request.id", index=True)
    from_status: str | None = Field(default=None, max_length=24)
    to_status: str = Field(max_length=24)
    note: str = Field(default="", max_length=500)
    actor: str = Field(default="system", max_length=80)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class TrackingSequence(SQLModel, table=True):
    """One counter per year for tracking numbers (DOM-2026-000001)."""

    __tablename__ = "tracking_sequence"

    year: int = Field(primary_key=True)
    last_value: int = Field(default=0)
