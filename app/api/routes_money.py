"""Bills, payments and the messages Rabta sent the citizen."""

from __future__ import annotations

import re

from flask import Response, request

from app.api import bp
from app.api.auth import citizen_id
from app.api.framework import HeaderParam, json_response, operation
from app.api.listing import bills_for_citizen, cursor_int, page
from app.api.schemas.citizen import (
    BillOut,
    BillPage,
    BillsQuery,
    NotificationOut,
    NotificationPage,
    PaymentCreate,
    PaymentOut,
    PaymentPage,
)
from app.api.schemas.common import PageQuery, Psid, Reference
from app.api.views import bill_fields, bill_out, preload
from app.bills.service import inquire_bill
from app.catalogue.models import Agency
from app.errors import DomainError, IdempotencyKeyRequired, PaymentNotFound
from app.errors_http import domain_problem, request_language
from app.runtime import current

BILLS, PAYMENTS, NOTIFICATIONS = "Bills", "Payments", "Notifications"
IDEMPOTENCY_KEY = HeaderParam("Idempotency-Key", "A unique key per payment attempt (e.g. a UUID). Retrying with "
                                                 "the same key and body replays the first answer.")
_IDEMPOTENCY_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")
_OTP_DIGITS = re.compile(r"\d{4,8}")


@operation(bp, "GET", "/bills", summary="My bills, newest first", tag=BILLS, auth="citizen", query=BillsQuery,
           response=BillPage)
def list_bills(query: BillsQuery) -> BillPage:
    me, language = citizen_id(), request_language()
    with current().db.session() as session:
        found = bills_for_citizen(session=session, citizen_id=me, status=query.status,
                                  before_id=cursor_int(query.cursor), limit=query.limit)
        rows, next_cursor = page(found, query.limit, key=lambda b: (b.id,))
        agencies = preload(session, Agency, (b.agency_id for b in rows))  # noqa: F841 (kept alive on purpose)
        return BillPage(items=[bill_out(session, b, language, me) for b in rows], next_cursor=next_cursor)


@operation(bp, "GET", "/bills/<psid>", summary="Look up any bill by PSID", tag=BILLS, auth="citizen",
           path_params={"psid": Psid}, response=BillOut)
def get_bill_by_psid(psid: str) -> BillOut:
    """Anyone may pay anyone's challan, so any PSID can be looked up; the answer never carries
    the holder's name or CNIC."""
    with current().db.session() as session:
        inquiry = inquire_bill(session=session, psid=psid, language=request_language())
    return BillOut(**bill_fields(inquiry, citizen_id()))


def _payment_out(session: object, payment: object, language: str) -> PaymentOut:
    from payments.service import payment_view

    view = payment_view(session=session, payment=payment, language=language)  # type: ignore[arg-type]
    return PaymentOut(reference=view.reference, psid=view.psid, agency_code=view.agency_code, amount=view.amount,
                      currency=view.currency, status=view.status,  # type: ignore[arg-type]
                      status_label=view.status_label, refund_due=view.refund_due,
                      receipt_number=view.receipt_number, failure_reason=view.failure_reason,
                      failure_code=view.failure_code, created_at=view.created_at, settled_at=view.settled_at)


@operation(bp, "POST", "/payments", summary="Pay a bill from my mobile wallet", tag=PAYMENTS, auth="citizen",
           body=PaymentCreate, response=PaymentOut, status=202, headers=(IDEMPOTENCY_KEY,))
def create_payment(body: PaymentCreate) -> Response:
    """Starts a wallet payment for what the bill costs today and answers 202 at once; approve it on
    the phone, then poll GET /payments/{reference}. Same Idempotency-Key and body: the first answer
    again; same key, other body: 422; while the first is still running: 409."""
    from app.idempotency import idempotent_response

    key = request.headers.get("Idempotency-Key", "").strip()
    if not _IDEMPOTENCY_KEY_PATTERN.match(key):
        raise IdempotencyKeyRequired("Send an Idempotency-Key header (1-255 visible characters).",
                                     field_errors={"Idempotency-Key": "required"})
    runtime, me, language = current(), citizen_id(), request_language()

    def start() -> Response:
        from payments.service import start_payment

        try:
            with runtime.db.transaction() as session:  # the wallet charged is the citizen's own number
                payment = start_payment(session=session, psid=body.psid, channel="app", citizen_id=me,
                                        region=runtime.settings.DEFAULT_REGION)
                out = _payment_out(session, payment, language)
        except DomainError as error:  # stored and replayed like a success (the key is spent)
            return domain_problem(error)
        return json_response(out, 202, headers={"Location": f"/api/v1/payments/{out.reference}"})

    return idempotent_response(redis=runtime.redis, scope=f"citizen:{me}", key=key, body=request.get_data(),
                               handler=start)


@operation(bp, "GET", "/payments/<reference>", summary="One of my payments", tag=PAYMENTS, auth="citizen",
           path_params={"reference": Reference}, response=PaymentOut)
def get_my_payment(reference: str) -> PaymentOut:
    from payments.service import get_payment

    with current().db.session() as session:
        payment = get_payment(session=session, reference=reference)
        if payment.citizen_id != citizen_id():
            raise PaymentNotFound("No payment with that reference.")
        return _payment_out(session, payment, request_language())


@operation(bp, "GET", "/payments", summary="My payments, newest first", tag=PAYMENTS, auth="citizen",
           query=PageQuery, response=PaymentPage)
def list_my_payments(query: PageQuery) -> PaymentPage:
    from payments.service import list_payments

    language = request_language()
    with current().db.session() as session:
        found = list_payments(session=session, citizen_id=citizen_id(), before_id=cursor_int(query.cursor),
                              limit=query.limit + 1)
        rows, next_cursor = page(found, query.limit, key=lambda p: (p.id,))
        return PaymentPage(items=[_payment_out(session, p, language) for p in rows], next_cursor=next_cursor)


@operation(bp, "GET", "/notifications", summary="Every message Rabta sent me, with its delivery status",
           tag=NOTIFICATIONS, auth="citizen", query=PageQuery, response=NotificationPage)
def list_notifications(query: PageQuery) -> NotificationPage:
    from sms.service import messages_for_citizen

    with current().db.session() as session:
        found = messages_for_citizen(session=session, citizen_id=citizen_id(), before_id=cursor_int(query.cursor),
                                     limit=query.limit + 1)
    rows, next_cursor = page(found, query.limit, key=lambda m: (m.id,))
    items = [NotificationOut(id=m.id or 0, kind=m.kind, to=m.to, status=m.status, error_reason=m.error_reason,
                             created_at=m.created_at, updated_at=m.updated_at,
                             # an old sign-in code has no business staying readable in an app screen
                             body=_OTP_DIGITS.sub("******", m.body) if m.kind == "otp" else m.body)
             for m in rows]
    return NotificationPage(items=items, next_cursor=next_cursor)
