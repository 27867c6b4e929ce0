from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from app.timeutil import UTCDateTime, utcnow

Language = Literal["en", "ur", "ur-Latn"]
LANGUAGES: tuple[str, ...] = ("en", "ur", "ur-Latn")


class CitizenBase(SQLModel):
    msisdn: str = Field(max_length=20, unique=True, description="E.164 mobile number")
    name: str = Field(default="", max_length=120)
    language: str = Field(default="en", max_length=8)


class Citizen(CitizenBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    cnic: str | None = Field(default=None, max_length=13, unique=True)
    # When the number was proven to belong to the CNIC (identity port or an officer); None: unproven, so
    # bills issued to the CNIC are not announced to this number.
    cnic_verified_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # Until when PIN actions and new sign-ins are held after a SIM change (app.identity.simswap).
    sim_swap_hold_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    pin_hash: str | None = Field(default=None, max_length=255)
    pin_failed_attempts: int = Field(default=0)
    pin_locked_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    sms_opt_out: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
