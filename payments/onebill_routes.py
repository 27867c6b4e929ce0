"""`POST /billers/1bill/inquiry` and `POST /billers/1bill/payment`: the banks call us (HTTP Basic auth).

A thin adapter: whether a bill can be paid and for how much is `payments.payability`'s
answer, rendered here as 1Bill response codes. A bill with a wallet payment in flight is
answered like a blocked one (`02`, status `B`) until that payment ends: the bank is told
up front, as every channel is, and nobody pays twice.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Response, jsonify, request
from flask.typing import ResponseReturnValue
from redis import RedisError
from sqlalchemy.exc import DBAPIError

from app import metrics, ratelimit
from app.bills.service import inquiry_of
from app.errors import (
    BillAlreadyPaid,
    BillBlocked,
    BillNotFound,
    BillNotIssued,
    DomainError,
    InvalidPsid,
    PaymentInFlight,
    RateLimited,
    ServiceUnavailable,
    WrongAmount,
)
from app.errors_http import internal_error, is_outage, problem, unavailable
from app.ratelimit import Limit
from app.runtime import current
from payments.bank import DuplicateTransaction, TransactionDateRefused, record_bank_payment, settling_reference
from payments.payability import IN_FLIGHT, IS_BLOCKED, payability_of
from payments.providers import onebill
from payments.routes import audit_refusal, bp, json_object, onebill_authorised, refused

# Each refusal of the payment, as the 1Bill response code the bank expects.
_PAYMENT_CODES: dict[type[DomainError], str] = {
    InvalidPsid: onebill.UNKNOWN_CONSUMER, BillNotFound: onebill.UNKNOWN_CONSUMER,
    BillBlocked: onebill.BLOCKED_CONSUMER, PaymentInFlight: onebill.BLOCKED_CONSUMER,
    DuplicateTransaction: onebill.DUPLICATE_OR_BAD_TRANSACTION,
    BillAlreadyPaid: onebill.DUPLICATE_OR_BAD_TRANSACTION, WrongAmount: onebill.DUPLICATE_OR_BAD_TRANSACTION,
    BillNotIssued: onebill.DUPLICATE_OR_BAD_TRANSACTION,
}


def _guard() -> Response | None:
    """The rail is off without both credentials; bad credentials answer 04. Failed Basic auth is limited per
    client address (checked before the password, so guessing stops), good credentials per credential."""
    settings = current().settings
    if not settings.onebill_enabled:
        return problem(404, "not_found", "Not Found", "The 1Bill rail is not enabled.")
    redis = current().redis
    failures = Limit("onebill_failed_auth", request.remote_addr or "-", settings.ONEBILL_FAILED_AUTH_PER_MINUTE)
    # The password is checked first, but the answer to an address over its failure limit is 429 either way,
    # so a guesser learns nothing. The good-credential limit and the failure count share one round trip.
    authorised = onebill_authorised()
    try:
        if not authorised:
            if ratelimit.peek(redis, failures) >= failures.per_window:
                metrics.count_rate_limited(failures.scope)
                return _too_many(ratelimit.retry_after(failures))
            metrics.webhook_refused("1bill", "bad_credentials")
            ratelimit.count(redis, [failures])
            return refused(401, {"response_Code": onebill.INVALID_DATA, "message": "invalid credentials"},
                           "bad credentials")
        user = hashlib.sha256((request.authorization.username or "").encode()).hexdigest()[:32]  # type: ignore[union-attr]
        replies = ratelimit.enforce_or_fail_open(
            redis, [Limit("onebill_cred", user, settings.ONEBILL_REQUESTS_PER_MINUTE)],
            fail_open_seconds=settings.RATE_LIMIT_FAIL_OPEN_SECONDS,
            along=lambda pipe: ratelimit.queue_peek(pipe, failures))
        if replies and int(replies[0] or 0) >= failures.per_window:
            metrics.count_rate_limited(failures.scope)
            return _too_many(ratelimit.retry_after(failures))
    except RateLimited as exc:
        return _too_many(exc.retry_after)
    except RedisError:  # only the failed-auth counter: the password check itself needs no Redis
        if not authorised:
            return refused(401, {"response_Code": onebill.INVALID_DATA, "message": "invalid credentials"},
                           "bad credentials")
    return None


def _too_many(retry_after: int) -> Response:
    response = refused(429, {"response_Code": onebill.SERVICE_FAIL, "message": "too many requests"}, "rate limited")
    response.headers["Retry-After"] = str(retry_after)
    return response


@bp.errorhandler(ServiceUnavailable)
@bp.errorhandler(DBAPIError)
@bp.errorhandler(RedisError)
def _unavailable(error: Exception) -> ResponseReturnValue:
    """The database (or Redis) is down: the bank hears 1Bill's "service fail" in 1Bill's format, with a 503
    and Retry-After, never a problem+json 500 it cannot read. (This blueprint also holds the wallet callbacks,
    which keep problem+json.)"""
    if not is_outage(error):
        return internal_error()
    if not request.path.startswith("/billers/1bill/"):
        return unavailable()
    answer = (onebill.payment_answer(onebill.SERVICE_FAIL) if request.path.endswith("/payment")
              else onebill.inquiry_answer(onebill.SERVICE_FAIL))
    response = refused(503, answer, f"unavailable: {type(error).__name__}")
    response.headers["Retry-After"] = "30"
    return response


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
    today = runtime.today()
    with runtime.db.reading() as session:
        try:
            answer = payability_of(session=session, psid=fields.consumer_number, on=today)
        except InvalidPsid:
            return jsonify(onebill.inquiry_answer(onebill.UNKNOWN_CONSUMER))
        bill = answer.bill
        if bill is None:
            return jsonify(onebill.inquiry_answer(onebill.UNKNOWN_CONSUMER))
        held = answer.reason in (IS_BLOCKED, IN_FLIGHT)
        answer_body = onebill.inquiry_answer(
            onebill.BLOCKED_CONSUMER if held else onebill.OK, inquiry_of(bill, today),
            blocked=held, billing_month=bill.billing_month,
            paid_on=bill.paid_at, paid_amount=bill.paid_amount,
            tran_auth_id=settling_reference(session=session, payment_id=bill.settled_by_payment_id))
    return jsonify(answer_body)


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
                                          bank_mnemonic=fields.bank_mnemonic, tran_date=fields.paid_at.date(),
                                          today=runtime.today())
    except TransactionDateRefused as exc:
        return refused(400, onebill.payment_answer(onebill.INVALID_DATA), exc.detail)
    except DomainError as exc:
        code = _PAYMENT_CODES.get(type(exc))
        if code is None:
            raise
        return _refuse_payment(payload or {}, code, exc.code)
    return jsonify(onebill.payment_answer(onebill.OK, payment.receipt_number or ""))


def _refuse_payment(payload: dict[str, Any], code: str, reason: str) -> Response:
    audit_refusal(current(), payload, code, reason)
    return refused(200, onebill.payment_answer(code), reason)
