from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from app.timeutil import UTCDateTime, utcnow

# Outbox row lifecycle: pending -> dispatched (handed to a sender) | skipped (opted out) | failed.
OUTBOX_PENDING = "pending"
OUTBOX_DISPATCHED = "dispatched"
OUTBOX_SKIPPED = "skipped"
OUTBOX_FAILED = "failed"


class Notification(SQLModel, table=True):
    """An outbox row: a message the system owes a citizen, written in the same
    transaction as the change that caused it and drained by a job."""

    id: int | None = Field(default=None, primary_key=True)
    citizen_id: int | None = Field(default=None, foreign_key="citizen.id", index=True)
    msisdn: str = Field(max_length=20)
    language: str = Field(default="en", max_length=8)
    channel: str = Field(default="sms", max_length=16, description="Which dispatcher delivers it")
    kind: str = Field(max_length=40, description="status_change, payment_receipt, otp, ...")
    essential: bool = Field(default=True, description="False for reminders a citizen may opt out of")
    body: str = Field(max_length=2000)
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    dedupe_key: str | None = Field(default=None, max_length=120, unique=True)
    status: str = Field(default=OUTBOX_PENDING, max_length=16, index=True)
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    dispatched_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
