"""SMS tables: every text received and every text sent, with its delivery state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.timeutil import UTCDateTime, utcnow

# Canonical outbound status: queued -> sent -> delivered | undelivered | failed.
QUEUED = "queued"
SENT = "sent"
DELIVERED = "delivered"
UNDELIVERED = "undelivered"
FAILED = "failed"
STATUSES = (QUEUED, SENT, DELIVERED, UNDELIVERED, FAILED)
# A report may only move a message to a higher rank; the three outcomes are final.
STATUS_RANK = {QUEUED: 0, SENT: 1, DELIVERED: 2, UNDELIVERED: 2, FAILED: 2}
FINAL_STATUSES = frozenset({DELIVERED, UNDELIVERED, FAILED})

TEMPORARY = "temporary"
PERMANENT = "permanent"


class InboundMessage(SQLModel, table=True):
    """A text a citizen sent us, once per provider message id (providers retry callbacks)."""

    __tablename__ = "sms_inbound"
    __table_args__ = (UniqueConstraint("provider", "provider_message_id", name="uq_sms_inbound_provider_message"),)

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=20)
    provider_message_id: str = Field(max_length=80)
    msisdn: str = Field(max_length=20, index=True, description="Sender, E.164 when it parses")
    to_number: str = Field(default="", max_length=20)
    body: str = Field(default="", max_length=1600)
    link_id: str | None = Field(default=None, max_length=80)
    citizen_id: int | None = Field(default=None, foreign_key="citizen.id", index=True)
    command: str = Field(default="", max_length=16, description="The keyword understood, or 'unknown'")
    received_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class OutboundMessageBase(SQLModel):
    to: str = Field(max_length=20, description="E.164")
    body: str = Field(max_length=2000)
    kind: str = Field(max_length=40, description="status_change, payment_receipt, otp, reply, ...")
    status: str = Field(default=QUEUED, max_length=12, index=True)
    provider: str | None = Field(default=None, max_length=20)
    provider_message_id: str | None = Field(default=None, max_length=80, index=True)
    error_code: str | None = Field(default=None, max_length=40)
    error_reason: str | None = Field(default=None, max_length=200)
    segments: int = Field(default=1)
    encoding: str = Field(default="GSM-7", max_length=8)


class OutboundMessage(OutboundMessageBase, table=True):
    """A text we owe or sent; the send job and the delivery reports move `status` forwards only."""

    __tablename__ = "sms_outbound"

    id: int | None = Field(default=None, primary_key=True)
    citizen_id: int | None = Field(default=None, foreign_key="citizen.id", index=True)
    essential: bool = Field(default=True)
    # One outbound message per outbox row, so a re-drained notification is never sent twice.
    notification_id: int | None = Field(default=None, unique=True)
    in_reply_to: int | None = Field(default=None, description="sms_inbound.id this answers")
    failure_class: str | None = Field(default=None, max_length=10, description="temporary | permanent")
    provider_status: str | None = Field(default=None, max_length=30, description="The provider's own word")
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    claim_token: str | None = Field(default=None, max_length=32)
    claimed_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    delivered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
