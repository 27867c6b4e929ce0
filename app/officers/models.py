"""Officer accounts: who may sign in to the agency console, with which role, for which agency."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from app.timeutil import UTCDateTime, utcnow


class Officer(SQLModel, table=True):
    """A console account; `agency_id` is NULL for a platform admin. The password is kept only as a slow hash."""

    __tablename__ = "officer"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=255)
    totp_secret: str | None = Field(default=None, max_length=64)
    language: str = Field(default="en", max_length=8)
    failed_attempts: int = Field(default=0)
    locked_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    disabled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
