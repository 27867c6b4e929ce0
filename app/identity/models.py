from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, event
from sqlmodel import Field, SQLModel

from app.citizens.cnic_vault import SealedCnic, lookup_hash
from app.timeutil import UTCDateTime, utcnow

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"


class PendingCnicLink(SQLModel, table=True):
    """A number asked to be linked to a CNIC and the identity port gave no positive answer: an officer decides
    (the console lists these through `app.identity.service.pending_links`)."""

    __tablename__ = "pending_cnic_link"

    id: int | None = Field(default=None, primary_key=True)
    citizen_id: int = Field(foreign_key="citizen.id", index=True)
    cnic_hash: str = Field(default="", max_length=64, index=True)
    cnic: str = Field(sa_column=Column(SealedCnic(), nullable=False))  # sealed at rest; compare `cnic_hash`
    answer: str = Field(max_length=16, description="what the identity port said: unknown | mismatch")
    status: str = Field(default=PENDING, max_length=16, index=True)
    decided_by: str | None = Field(default=None, max_length=120)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


@event.listens_for(PendingCnicLink, "before_insert")
@event.listens_for(PendingCnicLink, "before_update")
def _hash_follows_cnic(_mapper: Any, _connection: Any, target: PendingCnicLink) -> None:
    # At flush, so every way of setting `cnic` (constructor, attribute, seed) keeps the lookup hash in step.
    target.cnic_hash = lookup_hash(target.cnic)
