"""HTTP edge of payments: wallet provider callbacks and the banks' 1Bill biller endpoints.

Callbacks: verify the signature, record the event once (deduped on the provider's
event id), enqueue a confirmation job, acknowledge. Nothing is settled here: the job
asks the provider's status endpoint first.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from app import metrics, ratelimit, request_id
from app.bus import record
from app.errors_http import problem
from app.ratelimit import Limit
from app.runtime import Runtime, current
from app.webhook_edge import guard
from payments.events import record_event, record_provider_event_once
from payments.jobs import PaymentCallbackAccepted
from payments.models import EXPIRED, FAILED, IN_FLIGHT, Payment
from payments.providers.base import CHARGE_SUCCEEDED, CallbackEvent, InvalidSignature, MalformedCallback
from payments.service import payment_by_provider_reference

log = logging.getLogger("rabta.payments")

bp = Blueprint("payments", __name__)


def _refuse_at_edge(reason: str) -> Response:
    """Garbage at the edge: 1Bill hears "invalid data" in its own format, a wallet a problem+json 400."""
    if request.path.startswith("/billers/1bill/"):
        from payments.providers import onebill

        return refused(400, {"response_Code": onebill.INVALID_DATA, "message": "invalid data"}, reason)
    return problem(400, "malformed_callback", "Malformed callback", "The callback could not be read.")


guard(bp, respond=_refuse_at_edge)


@bp.post("/payments/callbacks/<provider_name>")
def provider_callback(provider_name: str) -> ResponseReturnValue:
    runtime = current()
    if provider_name not in runtime.wallets.adapters:
        return problem(404, "not_found", "Not Found", "No such payment provider.")
    provider = runtime.wallets.get(provider_name)
    settings = runtime.settings
    # Per source address (ProxyFix, with TRUSTED_PROXY_COUNT set, makes remote_addr the real client).
    ratelimit.enforce_or_fail_open(runtime.redis, [Limit("wallet_callback", request.remote_addr or "-",
                                                         settings.PAYMENT_CALLBACKS_PER_MINUTE)],
                                   fail_open_seconds=settings.RATE_LIMIT_FAIL_OPEN_SECONDS)
    try:
        event = provider.parse_callback(body=request.get_data(), headers=dict(request.headers))
    except InvalidSignature as exc:
        metrics.webhook_refused(provider_name, "bad_signature")
        log.warning("refused %s callback from %s: %s", provider_name, request.remote_addr, exc)
        return problem(401, "invalid_signature", "Invalid signature", "The callback signature is not valid.")
    except MalformedCallback as exc:
        log.warning("malformed %s callback: %s", provider_name, exc)
        return problem(400, "malformed_callback", "Malformed callback", "The callback could not be read.")
    request_id.continue_from(request.headers.get(request_id.HEADER))
    duplicate = _record_callback(runtime, provider_name, event)
    return jsonify(received=True, duplicate=duplicate)


def _record_callback(runtime: Runtime, provider_name: str, event: CallbackEvent) -> bool:
    """Store the event once; a new one about a known payment gets a confirmation job. True for a duplicate."""
    with runtime.db.transaction() as session:
        payment = payment_by_provider_reference(session=session, provider=provider_name,
                                                reference=event.merchant_reference)
        payload: dict[str, Any] = dict(event.raw)
        if payment is not None and (event.amount != payment.amount or event.currency != payment.currency):
            payload["mismatch"] = {"expected_amount": payment.amount, "expected_currency": payment.currency}
        new = record_provider_event_once(session, payment, "callback", payload, provider=provider_name,
                                         provider_event_id=event.event_id)
        if payment is None:
            log.warning("%s callback for unknown reference %s", provider_name, event.merchant_reference[:20])
        elif new and "mismatch" in payload:
            log.warning("%s callback for %s does not match the payment; not confirming", provider_name,
                        payment.reference)
        elif new and _worth_confirming(payment, event):
            record(session, PaymentCallbackAccepted(payment.id or 0))
    return not new


def _worth_confirming(payment: Payment, event: CallbackEvent) -> bool:
    """In flight: confirm and settle. Already given up: only news of money matters (a refund case)."""
    if payment.status in IN_FLIGHT:
        return True
    return payment.status in (EXPIRED, FAILED) and not payment.refund_due and event.state == CHARGE_SUCCEEDED


def refused(status: int, body: dict[str, str], reason: str) -> Response:
    """A 1Bill refusal still answers in 1Bill's format, with a log line for the operator."""
    log.warning("1Bill %s refused: %s", request.path.rsplit("/", 1)[-1], reason)
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="1bill"'
    return response


def onebill_authorised() -> bool:
    settings = current().settings
    auth = request.authorization
    if auth is None or auth.type != "basic" or auth.username is None or auth.password is None:
        return False
    user_ok = hmac.compare_digest(auth.username.encode(), (settings.ONEBILL_USERNAME or "").encode())
    password_ok = hmac.compare_digest(auth.password.encode(), (settings.ONEBILL_PASSWORD or "").encode())
    return user_ok and password_ok


def json_object() -> dict[str, Any] | None:
    payload = request.get_json(silent=True, force=True)
    return payload if isinstance(payload, dict) else None


def audit_refusal(runtime: Runtime, payload: dict[str, Any], code: str, reason: str) -> None:
    with runtime.db.transaction() as session:
        record_event(session, None, "bank_payment_refused", {"request": payload, "code": code, "reason": reason},
                     provider="1bill")


# The 1Bill routes live in their own module and attach themselves to `bp` (they use the helpers above).
from payments import onebill_routes  # noqa: E402, F401
