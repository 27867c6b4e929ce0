"""Domain objects -> API response models (the shared renderings, never re-worded)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, select

from app.api.schemas.agency import AgencyPaymentOut, AgencyRequestOut
from app.api.schemas.citizen import (
    BillOut,
    RequestDetailOut,
    RequestOut,
    ServiceField,
    ServiceOut,
    StatusEventOut,
)
from app.applications.models import TERMINAL_STATUSES, ServiceRequest
from app.applications.service import history, status_view
from app.bills.models import Bill
from app.bills.service import BillInquiry, inquiry_for
from app.catalogue.models import Agency, Service
from app.messages import text
from app.timeutil import utcnow


def preload(session: Session, model: Any, ids: Iterable[int | None]) -> list[Any]:
    """Load the rows a page refers to in one query.

    The session's identity map holds rows only weakly: the caller keeps the returned
    list alive while rendering, so the per-row `session.get` calls inside the shared
    renderings hit the map instead of the database.
    """
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return []
    return list(session.exec(select(model).where(col(model.id).in_(wanted))))


def service_out(service: Service, agency_code: str, language: str, currency: str) -> ServiceOut:
    fields = [ServiceField(name=name, label=str(rule.get("label", name)), required=bool(rule.get("required", True)),
                           pattern=rule.get("pattern"))
              for name, rule in (service.required_fields or {}).items()]
    return ServiceOut(code=service.code, agency_code=agency_code, name=service.name_in(language),
                      fee=service.fee_paisa, currency=currency, sla_days=service.sla_days, fields=fields)


def _request_fields(session: Session, request: ServiceRequest, language: str) -> dict[str, Any]:
    view = status_view(session=session, request=request, language=language)
    service = session.get(Service, request.service_id)
    return {
        "tracking_number": view.tracking_number, "service_code": service.code if service else "",
        "service_name": view.service_name, "agency_code": view.agency_code, "status": view.status,
        "status_label": view.status_label, "next_step": view.next_step, "submitted_at": request.submitted_at,
        "last_changed_at": request.last_changed_at, "sla_due_at": request.sla_due_at,
        "overdue": request.status not in TERMINAL_STATUSES and request.sla_due_at < utcnow(),
    }


def request_out(session: Session, request: ServiceRequest, language: str) -> RequestOut:
    return RequestOut(**_request_fields(session, request, language))


def request_detail_out(session: Session, request: ServiceRequest, language: str) -> RequestDetailOut:
    events = [StatusEventOut(from_status=event.from_status, to_status=event.to_status,
                             status_label=text(f"status.{event.to_status}", language), note=event.note,
                             at=event.created_at)
              for event in history(session=session, request=request)]
    return RequestDetailOut(**_request_fields(session, request, language), details=_details(request),
                            history=events)


def agency_request_out(session: Session, request: ServiceRequest, language: str) -> AgencyRequestOut:
    return AgencyRequestOut(**_request_fields(session, request, language), details=_details(request))


def _details(request: ServiceRequest) -> dict[str, str]:
    return {str(key): str(value) for key, value in (request.details or {}).items()}


def bill_fields(inquiry: BillInquiry, viewer_citizen_id: int | None) -> dict[str, Any]:
    """A bill as anyone may see it: never the holder's name or CNIC."""
    return {
        "psid": inquiry.psid, "agency_code": inquiry.agency_code, "agency_name": inquiry.agency_name,
        "kind": inquiry.kind, "description": inquiry.description, "status": inquiry.status,
        "currency": inquiry.currency, "amount_within_due": inquiry.amount_within_due,
        "amount_after_due": inquiry.amount_after_due, "payable_now": inquiry.payable_now,
        "due_date": inquiry.due_date, "is_overdue": inquiry.is_overdue,
        "yours": viewer_citizen_id is not None and inquiry.citizen_id == viewer_citizen_id,
    }


def bill_out(session: Session, bill: Bill, language: str, viewer_citizen_id: int | None) -> BillOut:
    return BillOut(**bill_fields(inquiry_for(session=session, bill=bill, language=language), viewer_citizen_id))


def agency_payment_out(session: Session, payment: Any) -> AgencyPaymentOut:
    bill = session.get(Bill, payment.bill_id)
    return AgencyPaymentOut(reference=payment.reference, psid=bill.psid if bill else "", amount=payment.amount,
                            currency=payment.currency, status=payment.status, channel=payment.channel,
                            rail=payment.rail, receipt_number=payment.receipt_number,
                            refund_due=payment.refund_due, created_at=payment.created_at,
                            settled_at=payment.settled_at)


def agency_code_of(session: Session, agency_id: int) -> str:
    agency = session.get(Agency, agency_id)
    return agency.code if agency else ""
