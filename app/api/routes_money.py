"""Bills, payments and the messages Rabta sent the citizen."""

from __future__ import annotations

import re

from flask import Response, request

from app.api import bp
from app.api.auth import citizen_id
from app.api.framework import HeaderParam, json_response, operation
from app.api.pagination import cursor_int, page
from app.api.schemas.citizen import (
    BillOut,
    BillPage,
    BillsQuery,
    NotificationOut,
    NotificationPage,
    PaymentCreate,
    PaymentOut,
    PaymentPage,
    WalletsOut,
)
from app.api.schemas.common import PageQuery, Psid, Reference
from app.api.views import bill_view_out, payment_out
from app.bills.service import inquire_bill, list_bills
from app.errors import DomainError, IdempotencyKeyRequired
from app.errors_http import domain_problem, request_language
from app.idempotency import idempotent_response
from app.messages.redaction import redact
from app.runtime import current
from payments.service import get_payment, list_payments, start_payment
from sms.service import messages_for_citizen

BILLS, PAYMENTS, NOTIFICATIONS = "Bills", "Payments", "Notifications"
IDEMPOTENCY_KEY = HeaderParam("Idempotency-Key", "A unique key per payment attempt (e.g. a UUID). Retrying with "
                                                 "the same key and body replays the first answer.")
_IDEMPOTENCY_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")


@operation(bp, "GET", "/bills", summary="My bills, newest first", tag=BILLS, auth="citizen", query=BillsQuery,
           response=BillPage)
def list_my_bills(query: BillsQuery) -> BillPage:
    runtime, me, language = current(), citizen_id(), request_language()
    with runtime.db.reading() as session:
        found = list_bills(session=session, citizen_id=me, on=runtime.today(), language=language,
                           status=query.status, before_id=cursor_int(query.cursor), limit=query.limit + 1)
    rows, next_cursor = page(found, query.limit, key=lambda pair: (pair[0],))
    return BillPage(items=[bill_view_out(inquiry, me) for _id, inquiry in rows], next_cursor=next_cursor)


@operation(bp, "GET", "/bills/<psid>", summary="Look up any bill by PSID", tag=BILLS, auth="citizen",
           path_params={"psid": Psid}, response=BillOut)
def get_bill_by_psid(psid: str) -> BillOut:
    """Anyone may pay anyone's challan, so any PSID can be looked up; the answer never carries
    the holder's name or CNIC."""
    runtime = current()
    with runtime.db.reading() as session:
        inquiry = inquire_bill(session=session, psid=psid, on=runtime.today(), language=request_language())
    return bill_view_out(inquiry, citizen_id())


@operation(bp, "GET", "/wallets", summary="The wallets a payment can be made from", tag=PAYMENTS,
           response=WalletsOut)
def list_wallets() -> WalletsOut:
    return WalletsOut(items=list(current().wallets.names))


@operation(bp, "POST", "/payments", summary="Pay a bill from my mobile wallet", tag=PAYMENTS, auth="citizen",
           body=PaymentCreate, response=PaymentOut, status=202, headers=(IDEMPOTENCY_KEY,))
def create_payment(body: PaymentCreate) -> Response:
    """Starts a wallet payment for what the bill costs today and answers 202 at once; approve it on
    the phone, then poll GET /payments/{reference}. Same Idempotency-Key and body: the first answer
    again; same key, other body: 422; while the first is still running: 409."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not _IDEMPOTENCY_KEY_PATTERN.match(key):
        raise IdempotencyKeyRequired("Send an Idempotency-Key header (1-255 visible characters).",
                                     field_errors={"Idempotency-Key": "required"})
    runtime, me, language = current(), citizen_id(), request_language()

    def start() -> Response:
        try:
            wallet = runtime.wallets.choose(body.wallet)
            with runtime.db.transaction() as session:  # the wallet charged is the citizen's own number
                payment = start_payment(session=session, psid=body.psid, channel="app", wallet=wallet,
                                        today=runtime.today(), citizen_id=me,
                                        region=runtime.settings.DEFAULT_REGION)
                out = payment_out(session, payment, language)
        except DomainError as error:  # stored and replayed like a success (the key is spent)
            return domain_problem(error)
        return json_response(out, 202, headers={"Location": f"/api/v1/payments/{out.reference}"})

    return idempotent_response(redis=runtime.redis, scope=f"citizen:{me}", key=key, body=request.get_data(),
                               handler=start)


@operation(bp, "GET", "/payments/<reference>", summary="One of my payments", tag=PAYMENTS, auth="citizen",
           path_params={"reference": Reference}, response=PaymentOut)
def get_my_payment(reference: str) -> PaymentOut:
    with current().db.reading() as session:
        payment = get_payment(session=session, reference=reference, citizen_id=citizen_id())
        return payment_out(session, payment, request_language())


@operation(bp, "GET", "/payments", summary="My payments, newest first", tag=PAYMENTS, auth="citizen",
           query=PageQuery, response=PaymentPage)
def list_my_payments(query: PageQuery) -> PaymentPage:
    language = request_language()
    with current().db.reading() as session:
        found = list_payments(session=session, citizen_id=citizen_id(), before_id=cursor_int(query.cursor),
                              limit=query.limit + 1)
        rows, next_cursor = page(found, query.limit, key=lambda p: (p.id,))
        return PaymentPage(items=[payment_out(session, p, language) for p in rows], next_cursor=next_cursor)


@operation(bp, "GET", "/notifications", summary="Every message Rabta sent me, with its delivery status",
           tag=NOTIFICATIONS, auth="citizen", query=PageQuery, response=NotificationPage)
def list_notifications(query: PageQuery) -> NotificationPage:
    with current().db.reading() as session:
        found = messages_for_citizen(session=session, citizen_id=citizen_id(), before_id=cursor_int(query.cursor),
                                     limit=query.limit + 1)
    rows, next_cursor = page(found, query.limit, key=lambda m: (m.id,))
    # A sign-in or PAY code has no business staying readable in an app screen.
    items = [NotificationOut.model_validate({**m.model_dump(), "body": redact(m.body, m.kind)}) for m in rows]
    return NotificationPage(items=items, next_cursor=next_cursor)
