"""Request and response shapes of the citizen (mobile app) API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from app.api.schemas.common import (
    Body,
    Cnic,
    Code,
    FieldName,
    FieldValue,
    Language,
    Msisdn,
    Name,
    Otp,
    Out,
    PageQuery,
    Paisa,
    Pin,
    Psid,
    Secret,
    WalletName,
)
from app.applications.models import STATUSES
from app.bills.models import BILL_STATUSES

ApplicationStatus = Literal[STATUSES]  # type: ignore[valid-type]
BillStatus = Literal[BILL_STATUSES]  # type: ignore[valid-type]


# --- sign-in -------------------------------------------------------------------------
class OtpRequest(Body):
    msisdn: Msisdn = Field(description="Mobile number, local (03001234567) or international (+923001234567)")


class OtpSent(Out):
    sent: bool = True
    expires_in: int = Field(description="Seconds the code stays valid")


class TokenRequest(Body):
    msisdn: Msisdn
    otp: Otp


class RefreshRequest(Body):
    refresh_token: Secret


class TokenPairOut(Out):
    token_type: Literal["Bearer"] = "Bearer"
    access_token: str
    expires_in: int = Field(description="Seconds until the access token expires")
    refresh_token: str
    refresh_expires_in: int


# --- me ------------------------------------------------------------------------------
class NotificationPreferences(Body):
    sms_reminders: bool = Field(description="Reminders by SMS (receipts and status changes are always sent)")


class MeOut(Out):
    id: int
    msisdn: str
    name: str
    cnic: str | None = Field(description="Masked: only the last digits are shown")
    language: Language
    has_pin: bool
    notification_preferences: NotificationPreferences


class MePatch(Body):
    name: Name | None = None
    cnic: Cnic | None = Field(default=None, description="Can be set once")
    language: Language | None = None
    notification_preferences: NotificationPreferences | None = None


class PinChange(Body):
    new_pin: Pin
    old_pin: Pin | None = Field(default=None, description="Required to change an existing PIN unless `otp` is given")
    otp: Otp | None = Field(default=None, description="A fresh sign-in code instead of the old PIN")


# --- catalogue and applications -------------------------------------------------------
class ServicesQuery(PageQuery):
    agency: Code | None = Field(default=None, description="Only this agency's services (agency code)")


class ServiceField(Out):
    name: str
    label: str
    required: bool
    pattern: str | None = None


class ServiceOut(Out):
    code: str
    agency_code: str
    name: str
    fee: Paisa
    currency: str
    sla_days: int
    fields: list[ServiceField]


class ServicePage(Out):
    items: list[ServiceOut]
    next_cursor: str | None


class RequestCreate(Body):
    service: Code = Field(description="Service code, e.g. DOM")
    details: dict[FieldName, FieldValue] = Field(default_factory=dict,
                                                 description="The fields the service requires")


class RequestsQuery(PageQuery):
    status: ApplicationStatus | None = None


class StatusEventOut(Out):
    from_status: str | None
    to_status: str
    status_label: str
    note: str
    at: datetime


class RequestOut(Out):
    tracking_number: str
    service_code: str
    service_name: str
    agency_code: str
    status: str
    status_label: str
    next_step: str
    submitted_at: datetime
    last_changed_at: datetime
    sla_due_at: datetime
    overdue: bool


class RequestDetailOut(RequestOut):
    details: dict[str, str]
    history: list[StatusEventOut]


class RequestPage(Out):
    items: list[RequestOut]
    next_cursor: str | None


# --- bills and payments ----------------------------------------------------------------
class BillsQuery(PageQuery):
    status: BillStatus | None = None


class BillOut(Out):
    psid: str
    agency_code: str
    agency_name: str
    kind: str
    description: str
    status: str
    currency: str
    amount_within_due: Paisa
    amount_after_due: Paisa
    payable_now: Paisa | None = Field(description="What paying today costs; null unless unpaid")
    due_date: date
    is_overdue: bool
    yours: bool = Field(description="Whether the bill is addressed to the signed-in citizen")


class BillPage(Out):
    items: list[BillOut]
    next_cursor: str | None


class PaymentCreate(Body):
    psid: Psid
    wallet: WalletName | None = Field(default=None, description="One of GET /wallets; default: the first one")


class PaymentOut(Out):
    reference: str
    psid: str
    agency_code: str
    amount: Paisa
    currency: str
    status: Literal["initiated", "pending", "succeeded", "failed", "expired", "refunded"]
    status_label: str
    refund_due: bool
    receipt_number: str | None
    failure_reason: str | None = Field(description="Why it failed, in the caller's language")
    failure_code: str | None = Field(description="Why it failed, as a stable code")
    wallet: str = Field(description="The wallet charged")
    created_at: datetime
    settled_at: datetime | None


class WalletsOut(Out):
    items: list[str] = Field(description="The wallets a payer may choose, the default first")


class PaymentPage(Out):
    items: list[PaymentOut]
    next_cursor: str | None


class NotificationOut(Out):
    id: int
    channel: Literal["sms"] = "sms"
    kind: str
    to: str
    body: str
    status: str = Field(description="queued, sent, delivered, undelivered or failed")
    error_reason: str | None
    created_at: datetime
    updated_at: datetime


class NotificationPage(Out):
    items: list[NotificationOut]
    next_cursor: str | None
