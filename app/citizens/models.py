from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Column, event
from sqlmodel import Field, SQLModel

from app.citizens.cnic_vault import SealedCnic, optional_hash
from app.timeutil import UTCDateTime, utcnow

Language = Literal["en", "ur", "ur-Latn"]
LANGUAGES: tuple[str, ...] = ("en", "ur", "ur-Latn")


class CitizenBase(SQLModel):
    msisdn: str = Field(max_length=20, unique=True, description="E.164 mobile number")
    name: str = Field(default="", max_length=120)
    language: str = Field(default="en", max_length=8)


class Citizen(CitizenBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # Sealed at rest (app.citizens.cnic_vault); `cnic_hash` follows it (the listener below) and is what SQL
    # compares: look citizens up with `app.citizens.service.find_citizen_by_cnic`, never `Citizen.cnic == x`.
    cnic_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)
    cnic: str | None = Field(default=None, sa_column=Column(SealedCnic(), nullable=True))
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


@event.listens_for(Citizen, "before_insert")
@event.listens_for(Citizen, "before_update")
def _hash_follows_cnic(_mapper: Any, _connection: Any, target: Citizen) -> None:
    # At flush, so every way of setting `cnic` (constructor, attribute, seed) keeps the lookup hash in step.
    target.cnic_hash = optional_hash(target.cnic)
