from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from app.timeutil import UTCDateTime, utcnow


class AuditEntry(SQLModel, table=True):
    """One action: who (an officer's email, `agency:<code>` for an API key, `cli`), what, on what, from where.

    Append-only: the app has no update or delete path, and on PostgreSQL a trigger refuses both."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True))
    actor: str = Field(max_length=254, index=True)
    agency_id: int | None = Field(default=None, index=True)
    action: str = Field(max_length=40, index=True)
    subject: str = Field(default="", max_length=120)
    detail: str = Field(default="", max_length=500)
    ip: str = Field(default="", max_length=64)
