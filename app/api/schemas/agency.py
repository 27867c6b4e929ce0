"""Request and response shapes of the agency API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field, model_validator

from app.api.schemas.citizen import ApplicationStatus, BillOut, RequestOut
from app.api.schemas.common import Body, Cnic, Description, Msisdn, Note, Out, PageQuery, Paisa
from app.bills.models import BILL_KINDS

BillKind = Literal[BILL_KINDS]  # type: ignore[valid-type]


class AgencyBillCreate(Body):
    kind: BillKind
    description: Description
    amount_within_due: Paisa = Field(gt=0)
    amount_after_due: Paisa | None = Field(default=None, description="Defaults to amount_within_due")
    due_date: date = Field(description="Last day the base amount applies; today or later")
    citizen_cnic: Cnic | None = Field(default=None, description="The citizen, by CNIC ...")
    citizen_msisdn: Msisdn | None = Field(default=None, description="... or by mobile number")

    @model_validator(mode="after")
    def _one_citizen_reference(self) -> AgencyBillCreate:
        if not self.citizen_cnic and not self.citizen_msisdn:
            raise ValueError("give citizen_cnic or citizen_msisdn")
        return self


class AgencyBillOut(BillOut):
    citizen_notified: bool = Field(description="Whether an SMS to the citizen was queued")


class AgencyRequestsQuery(PageQuery):
    status: ApplicationStatus | None = None


class AgencyRequestOut(RequestOut):
    details: dict[str, str]


class AgencyRequestPage(Out):
    items: list[AgencyRequestOut]
    next_cursor: str | None


class TransitionCreate(Body):
    to: ApplicationStatus
    note: Note = ""


class AgencyPaymentOut(Out):
    reference: str
    psid: str
    amount: Paisa
    currency: str
    status: str
    channel: str
    rail: str
    receipt_number: str | None
    refund_due: bool
    created_at: datetime
    settled_at: datetime | None


class AgencyPaymentPage(Out):
    items: list[AgencyPaymentOut]
    next_cursor: str | None
