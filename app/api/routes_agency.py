"""The agency API: issue and block bills, move applications along, reconcile payments.

Every query is scoped to the calling key's agency; another agency's PSID, tracking
number or payment answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from flask import Response
from flask import request as flask_request
from sqlmodel import Session

from app.api import bp
from app.api.auth import agency
from app.api.framework import json_response, operation
from app.api.pagination import cursor_int, cursor_time, decode_cursor, page
from app.api.schemas.agency import (
    AgencyBillCreate,
    AgencyBillOut,
    AgencyPaymentPage,
    AgencyRequestOut,
    AgencyRequestPage,
    AgencyRequestsQuery,
    TransitionCreate,
)
from app.api.schemas.citizen import BillOut
from app.api.schemas.common import PageQuery, Psid, Tracking
from app.api.views import agency_payment_out, agency_request_out, bill_out
from app.applications.queries import requests_for_agency
from app.applications.service import Viewer, transition
from app.audit.service import record
from app.bills.issuing import issue_agency_bill
from app.bills.service import block_bill, unblock_bill
from app.catalogue.models import Agency, Service
from app.db import preload
from app.errors_http import request_language
from app.runtime import current
from app.timeutil import utcnow
from payments.service import list_payments

TAG = "Agency"


@operation(bp, "POST", "/agency/bills", summary="Issue a bill or challan", tag=TAG, auth="agency",
           body=AgencyBillCreate, response=AgencyBillOut, status=201)
def issue_bill_for_citizen(body: AgencyBillCreate) -> Response:
    """A unique PSID is generated. The citizen, found by CNIC or number, is sent an SMS."""
    runtime, caller = current(), agency()
    with runtime.db.transaction() as session:
        issued = issue_agency_bill(
            session=session, agency=caller, kind=body.kind, description=body.description,
            amount_within_due=body.amount_within_due, amount_after_due=body.amount_after_due,
            due_date=body.due_date, cnic=body.citizen_cnic, msisdn=body.citizen_msisdn,
            currency=runtime.settings.DEFAULT_CURRENCY, region=runtime.settings.DEFAULT_REGION,
            today=runtime.today())
        _audit(session, caller, "bill.issued", issued.bill.psid, f"{issued.bill.kind} {issued.bill.amount_within_due}")
        view = bill_out(session, issued.bill, request_language(), None, runtime.today())
    out = AgencyBillOut(**view.model_dump(), citizen_notified=issued.notified)
    return json_response(out, 201, headers={"Location": f"/api/v1/bills/{out.psid}"})


@operation(bp, "POST", "/agency/bills/<psid>/block", summary="Block one of our bills", tag=TAG, auth="agency",
           path_params={"psid": Psid}, response=BillOut)
def block_agency_bill(psid: str) -> BillOut:
    """A blocked bill cannot be paid on any channel until it is unblocked. A paid bill answers 409."""
    runtime = current()
    with runtime.db.transaction() as session:
        bill = block_bill(session=session, psid=psid, agency_id=agency().id)
        _audit(session, agency(), "bill.blocked", bill.psid)
        return bill_out(session, bill, request_language(), None, runtime.today())


@operation(bp, "POST", "/agency/bills/<psid>/unblock", summary="Unblock one of our bills", tag=TAG,
           auth="agency", path_params={"psid": Psid}, response=BillOut)
def unblock_agency_bill(psid: str) -> BillOut:
    runtime = current()
    with runtime.db.transaction() as session:
        bill = unblock_bill(session=session, psid=psid, agency_id=agency().id)
        _audit(session, agency(), "bill.unblocked", bill.psid)
        return bill_out(session, bill, request_language(), None, runtime.today())


@operation(bp, "GET", "/agency/requests", summary="Our applications, overdue first", tag=TAG, auth="agency",
           query=AgencyRequestsQuery, response=AgencyRequestPage)
def list_agency_requests(query: AgencyRequestsQuery) -> AgencyRequestPage:
    """Applications past their service-level due date and still open come first, then by due date."""
    values = decode_cursor(query.cursor, int, str, int)
    after = (int(values[0]), cursor_time(values[1]), int(values[2])) if values else None
    language = request_language()
    with current().db.reading() as session:
        found = requests_for_agency(session=session, agency_id=agency().id or 0, now=utcnow(), status=query.status,
                                    after=after, limit=query.limit + 1)
        rows, next_cursor = page(found, query.limit,
                                 key=lambda row: (row[1], row[0].sla_due_at.isoformat(), row[0].id))
        kept = preload(session, Service, (r.service_id for r, _ in rows)) + preload(  # noqa: F841 (kept alive)
            session, Agency, [agency().id])
        return AgencyRequestPage(items=[agency_request_out(session, r, language) for r, _rank in rows],
                                 next_cursor=next_cursor)


@operation(bp, "POST", "/agency/requests/<tracking>/transitions", summary="Move an application along",
           tag=TAG, auth="agency", path_params={"tracking": Tracking}, body=TransitionCreate,
           response=AgencyRequestOut)
def transition_request(tracking: str, body: TransitionCreate) -> AgencyRequestOut:
    """Records the history entry and notifies the citizen. A move the lifecycle does not allow
    answers 409 `illegal_transition`."""
    caller = agency()
    with current().db.transaction() as session:
        request = transition(session=session, tracking_number=tracking, to_status=body.to, note=body.note,
                             actor=f"agency:{caller.code}", viewer=Viewer(agency_id=caller.id))
        _audit(session, caller, "application.transition", request.tracking_number, f"-> {body.to}")
        return agency_request_out(session, request, request_language())


@operation(bp, "GET", "/agency/payments", summary="Payments for our bills, newest first", tag=TAG,
           auth="agency", query=PageQuery, response=AgencyPaymentPage)
def list_agency_payments(query: PageQuery) -> AgencyPaymentPage:
    language = request_language()
    with current().db.reading() as session:
        found = list_payments(session=session, agency_id=agency().id, before_id=cursor_int(query.cursor),
                              limit=query.limit + 1)
        rows, next_cursor = page(found, query.limit, key=lambda p: (p.id,))
        return AgencyPaymentPage(items=[agency_payment_out(session, p, language) for p in rows],
                                 next_cursor=next_cursor)


def _audit(session: Session, caller: Agency, action: str, subject: str, detail: str = "") -> None:
    """The same audit entry the console writes for the same action (actor: the agency's API key)."""
    record(session=session, actor=f"agency:{caller.code}", action=action, subject=subject, agency_id=caller.id,
           detail=detail, ip=flask_request.remote_addr or "")
