"""Domain views -> API response models.

The domain renders each fact once (`StatusView`, `HistoryEntry`, `BillInquiry`,
`PaymentView`); the response models read the same attributes (`from_attributes`), so
no field is copied by hand here.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from app.api.schemas.agency import AgencyPaymentOut, AgencyRequestOut
from app.api.schemas.citizen import BillOut, PaymentOut, RequestDetailOut, RequestOut, ServiceField, ServiceOut
from app.applications.models import ServiceRequest
from app.applications.service import history_view, status_view
from app.bills.models import Bill
from app.bills.service import BillInquiry, inquiry_for
from app.catalogue.models import Service
from payments.models import Payment
from payments.service import payment_view


def service_out(service: Service, agency_code: str, language: str, currency: str) -> ServiceOut:
    fields = [ServiceField(name=name, label=str(rule.get("label", name)), required=bool(rule.get("required", True)),
                           pattern=rule.get("pattern"))
              for name, rule in (service.required_fields or {}).items()]
    return ServiceOut(code=service.code, agency_code=agency_code, name=service.name_in(language),
                      fee=service.fee_paisa, currency=currency, sla_days=service.sla_days, fields=fields)


def request_out(session: Session, request: ServiceRequest, language: str) -> RequestOut:
    return RequestOut.model_validate(status_view(session=session, request=request, language=language))


def request_detail_out(session: Session, request: ServiceRequest, language: str) -> RequestDetailOut:
    view = status_view(session=session, request=request, language=language)
    history = history_view(session=session, request=request, language=language)
    return RequestDetailOut.model_validate({**vars(view), "history": history})


def agency_request_out(session: Session, request: ServiceRequest, language: str) -> AgencyRequestOut:
    return AgencyRequestOut.model_validate(status_view(session=session, request=request, language=language))


def bill_view_out(inquiry: BillInquiry, viewer_citizen_id: int | None) -> BillOut:
    """A bill as anyone may see it: never the holder's name or CNIC (BillOut has no such field)."""
    yours = viewer_citizen_id is not None and inquiry.citizen_id == viewer_citizen_id
    return BillOut.model_validate({**vars(inquiry), "yours": yours})


def bill_out(session: Session, bill: Bill, language: str, viewer_citizen_id: int | None, today: date) -> BillOut:
    return bill_view_out(inquiry_for(session=session, bill=bill, on=today, language=language), viewer_citizen_id)


def payment_out(session: Session, payment: Payment, language: str) -> PaymentOut:
    return PaymentOut.model_validate(payment_view(session=session, payment=payment, language=language))


def agency_payment_out(session: Session, payment: Payment, language: str) -> AgencyPaymentOut:
    return AgencyPaymentOut.model_validate(payment_view(session=session, payment=payment, language=language))
