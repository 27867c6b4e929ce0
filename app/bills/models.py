from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from app.timeutil import UTCDateTime, utcnow

UNPAID = "unpaid"
PAID = "paid"
BLOCKED = "blocked"
BILL_STATUSES = (UNPAID, PAID, BLOCKED)
BILL_KINDS = ("challan", "tax", "fee", "utility")


class BillBase(SQLModel):
    psid: str = Field(min_length=17, max_length=17, unique=True, description="17-digit payment slip id")
    kind: str = Field(max_length=16)
    description: str = Field(max_length=200)
    # Paisa in 64 bits: a property tax in the crores overflows a 32-bit column.
    amount_within_due: int = Field(ge=0, sa_type=BigInteger, description="paisa")
    amount_after_due: int = Field(ge=0, sa_type=BigInteger, description="paisa")
    currency: str = Field(default="PKR", max_length=3)
    due_date: date
    billing_month: str = Field(default="", max_length=4, description="YYMM")


class Bill(BillBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    citizen_id: int | None = Field(default=None, foreign_key="citizen.id", index=True)
    status: str = Field(default=UNPAID, max_length=8, index=True)
    # The deployment-zone date the agency issued it: nothing is payable for a day before it.
    issued_on: date = Field(default_factory=date.today)
    paid_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    paid_amount: int | None = Field(default=None, sa_type=BigInteger)
    # The payment that settled the bill (compare-and-set target for the payments rail).
    settled_by_payment_id: int | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
