"""Payments: one row per attempt to pay a bill, plus an append-only event log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.timeutil import UTCDateTime, utcnow

# Lifecycle: initiated -> pending -> succeeded | failed | expired; money we could not book (`refund_due`)
# ends refunded once a supervisor approved the refund and the wallet sent it back (payments.refunds).
INITIATED = "initiated"
PENDING = "pending"
SUCCEEDED = "succeeded"
FAILED = "failed"
EXPIRED = "expired"
REFUNDED = "refunded"
PAYMENT_STATUSES = (INITIATED, PENDING, SUCCEEDED, FAILED, EXPIRED, REFUNDED)
IN_FLIGHT = (INITIATED, PENDING)
TERMINAL = (SUCCEEDED, FAILED, EXPIRED, REFUNDED)

CHANNELS = ("app", "ussd", "sms", "bank")
RAIL_WALLET = "wallet"
RAIL_ONEBILL = "1bill"
RAILS = (RAIL_WALLET, RAIL_ONEBILL)
ONEBILL_PROVIDER = "1bill"


class Payment(SQLModel, table=True):
    """An attempt to pay one bill through one rail.

    `active_bill_id` equals `bill_id` while the payment is in flight and is NULL
    otherwise; its unique index is what makes "one payment in flight per bill" hold
    under concurrency on every database.
    """

    __table_args__ = (UniqueConstraint("provider", "provider_reference", name="uq_payment_provider_reference"),)

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True, description="public id, e.g. P7K3M9Q2XA")
    bill_id: int = Field(foreign_key="bill.id", index=True)
    active_bill_id: int | None = Field(default=None, unique=True)
    citizen_id: int | None = Field(default=None, foreign_key="citizen.id", index=True)
    msisdn: str | None = Field(default=None, max_length=20, description="payer's number (E.164)")
    channel: str = Field(max_length=8)
    rail: str = Field(max_length=8)
    provider: str = Field(max_length=20)
    provider_reference: str | None = Field(default=None, max_length=64)
    amount: int = Field(ge=0, sa_type=BigInteger, description="paisa")
    currency: str = Field(default="PKR", max_length=3)
    status: str = Field(default=INITIATED, max_length=12, index=True)
    refund_due: bool = Field(default=False, index=True)
    receipt_number: str | None = Field(default=None, max_length=24, unique=True)
    failure_reason: str | None = Field(default=None, max_length=40, description="reason code, see texts")
    flag: str | None = Field(default=None, max_length=40, description="set by reconciliation on a mismatch")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    settled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # A supervisor approved sending a refund_due payment's money back (set once: double approval is one refund).
    refund_approved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    refund_approved_by: str | None = Field(default=None, max_length=254)


class PaymentEvent(SQLModel, table=True):
    """Append-only log of every provider payload received or sent (never secrets).

    `(provider, provider_event_id)` is unique so a callback delivered five times is
    recorded once.
    """

    __tablename__ = "payment_event"
    __table_args__ = (UniqueConstraint("provider", "provider_event_id", name="uq_payment_event_provider_event"),)

    id: int | None = Field(default=None, primary_key=True)
    payment_id: int | None = Field(default=None, foreign_key="payment.id", index=True)
    provider: str = Field(max_length=20)
    kind: str = Field(max_length=32, description="charge_request, callback, status_query, state_change, ...")
    provider_event_id: str | None = Field(default=None, max_length=80)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
