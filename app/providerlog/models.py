from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from app.timeutil import UTCDateTime, utcnow

OUTBOUND, INBOUND = "out", "in"


class ProviderLogEntry(SQLModel, table=True):
    """One HTTP exchange with a provider, bodies redacted (`app.redaction`)."""

    __tablename__ = "provider_log"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True))
    direction: str = Field(max_length=3, description="out: we called them; in: their webhook called us")
    provider: str = Field(max_length=32, index=True)
    method: str = Field(max_length=8)
    path: str = Field(max_length=500, description="URL path and redacted query")
    status: int | None = Field(default=None, description="HTTP status; none when the call failed outright")
    elapsed_ms: int = Field(default=0)
    is_error: bool = Field(default=False, index=True)
    error: str | None = Field(default=None, max_length=200)
    request_body: str = Field(default="", sa_column=Column(Text, nullable=False))
    response_body: str = Field(default="", sa_column=Column(Text, nullable=False))
    request_id: str | None = Field(default=None, max_length=64, index=True)
