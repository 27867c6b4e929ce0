"""API credentials: citizens' refresh tokens and agencies' API keys, both stored only as hashes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from app.timeutil import UTCDateTime, utcnow


class RefreshToken(SQLModel, table=True):
    """One link of a rotating refresh-token chain.

    Every rotation adds a row in the same `family_id`; presenting a row that was
    already rotated means the token leaked, so the whole family is revoked.
    """

    __tablename__ = "api_refresh_token"

    id: int | None = Field(default=None, primary_key=True)
    citizen_id: int = Field(foreign_key="citizen.id", index=True)
    family_id: str = Field(max_length=32, index=True)
    token_hash: str = Field(max_length=64, unique=True, description="sha256 hex of the token")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    rotated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class AgencyApiKey(SQLModel, table=True):
    """A bearer key scoped to one agency; the secret is shown once and only its hash is kept."""

    __tablename__ = "api_agency_key"

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    key_id: str = Field(max_length=16, unique=True, description="public part, safe to show and log")
    key_hash: str = Field(max_length=64, unique=True, description="sha256 hex of the whole key")
    label: str = Field(default="", max_length=80)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
