"""`POST /billers/1bill/inquiry` and `POST /billers/1bill/payment`: the banks call us (HTTP Basic auth)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask.typing import ResponseReturnValue

from app import metrics
from app.bills.service import get_bill, inquiry_for
from app.errors import BillAlreadyPaid, BillBlocked, BillNotFound, InvalidPsid
from app.errors_http import problem
from app.runtime import current
from app.timeutil import utcnow
from payments.bank import DuplicateTransaction, WrongAmount, bank_payment_for, record_bank_payment
from payments.providers import onebill
from payments.routes import audit_refusal, bp, json_object, onebill_authorised, refused


def _guard() -> Response | None:
    """The rail is off without both credentials; bad credentials answer 04."""
    if not current().settings.onebill_enabled:
        return problem(404, "not_found", "Not Found", "The 1Bill rail is not enabled.")
    if not onebill_authorised():
        metrics.webhook_refused("1bill", "bad_credentials")
        return refused(401, {"response_Code": onebill.INVALID_DATA, "message": "invalid credentials"},
                       "bad credentials")
    return None


@bp.post("/billers/1bill/inquiry")
def onebill_inquiry() -> ResponseReturnValue:
    if (guarded := _guard()) is not None:
        return guarded
    payload = json_object()
    try:
        fields = onebill.parse_inquiry(payload if payload is not None else {})
    except onebill.InvalidField as exc:
        return refused(400, onebill.inquiry_answer(onebill.INVALID_DATA), str(exc))
    runtime = current()
    with runtime.db.transaction(immediate=False) as session:
        try:
            bill = get_bill(session=session, psid=fields.consumer_number)
        except (InvalidPsid, BillNotFound):
            return jsonify(onebill.inquiry_answer(onebill.UNKNOWN_CONSUMER))
        inquiry = inquiry_for(session=session, bill=bill)
        settled_by = bank_payment_for(session=session, bill_id=bill.id or 0, payment_id=bill.settled_by_payment_id)
        code = onebill.BLOCKED_CONSUMER if inquiry.status == "blocked" else onebill.OK
        answer = onebill.inquiry_answer(
            code, inquiry, billing_month=bill.billing_month, paid_on=bill.paid_at, paid_amount=bill.paid_amount,
            tran_auth_id=(settled_by.provider_reference if settled_by and settled_by.rail == "1bill"
                          else settled_by.reference if settled_by else ""))
    return jsonify(answer)


@bp.post("/billers/1bill/payment")
def onebill_payment() -> ResponseReturnValue:
    if (guarded := _guard()) is not None:
        return guarded
    payload = json_object()
    try:
        fields = onebill.parse_payment(payload if payload is not None else {})
    except onebill.InvalidField as exc:
        return refused(400, onebill.payment_answer(onebill.INVALID_DATA), str(exc))
    runtime = current()
    try:
        with runtime.db.transaction() as session:
            payment = record_bank_payment(session=session, psid=fields.consumer_number,
                                          tran_auth_id=fields.tran_auth_id, amount=fields.amount,
                                          bank_mnemonic=fields.bank_mnemonic, on=utcnow().date())
    except (InvalidPsid, BillNotFound):
        return _refuse_payment(payload or {}, onebill.UNKNOWN_CONSUMER, "unknown consumer number")
    except BillBlocked:
        return _refuse_payment(payload or {}, onebill.BLOCKED_CONSUMER, "bill blocked")
    except (DuplicateTransaction, BillAlreadyPaid, WrongAmount) as exc:
        return _refuse_payment(payload or {}, onebill.DUPLICATE_OR_BAD_TRANSACTION, exc.code)
    return jsonify(onebill.payment_answer(onebill.OK, payment.receipt_number or ""))


def _refuse_payment(payload: dict[str, Any], code: str, reason: str) -> Response:
    audit_refusal(current(), payload, code, reason)
    return refused(200, onebill.payment_answer(code), reason)
