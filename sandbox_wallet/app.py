"""The sandbox wallet's merchant API.

POST /v1/charges                      create a charge (answers pending); idempotent on merchant_reference
GET  /v1/charges/<charge_id>          charge status
GET  /v1/charges?merchant_reference=  charge status by the merchant's reference
POST /v1/charges/<charge_id>/callbacks  send the charge's callback again now (like a dashboard "resend")
POST /v1/refunds                      refund a succeeded charge {refund_reference, merchant_reference, amount,
                                      currency}; idempotent on refund_reference; a charge of the 0009/.09
                                      scenario cannot be refunded (422 refund_failed), see scenarios.py

Every request is signed: headers X-Sandbox-Timestamp and X-Sandbox-Signature =
hex HMAC-SHA256(secret, "{timestamp}.{METHOD}.{path?query}.{body}"). Callbacks are
signed the same way over "{timestamp}.{body}" (signature prefixed "sha256=").
"""

from __future__ import annotations

import hmac
import time
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from sandbox_wallet import scenarios
from sandbox_wallet.config import SandboxConfig
from sandbox_wallet.state import WalletState, sign

STATE_KEY = "sandbox_wallet"


bp = Blueprint("sandbox_wallet", __name__)


def create_app(config: SandboxConfig | None = None) -> Flask:
    app = Flask("sandbox_wallet")
    app.extensions[STATE_KEY] = WalletState(config or SandboxConfig.from_env())
    app.register_blueprint(bp)
    return app


def _state() -> WalletState:
    state: WalletState = current_app.extensions[STATE_KEY]
    return state


@bp.before_request
def _verify() -> Response | None:
    if request.path == "/healthz":
        return None
    return None if _signed(_state()) else _error(401, "invalid_signature")


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@bp.post("/v1/charges")
def create_charge() -> Response | tuple[Response, int]:
    state = _state()
    fields = _charge_fields(request.get_json(silent=True))
    if fields is None:
        return _error(400, "invalid_request")
    reference, amount, currency, msisdn = fields
    scenario = scenarios.scenario_for(msisdn, amount)
    if scenario == scenarios.NO_ACCOUNT:
        return _error(422, "invalid_account")
    if scenario == scenarios.FLAKY and state.count_attempt(reference) <= state.config.flaky_failures:
        return _error(503, "temporarily_unavailable")
    charge, created = state.create(reference, amount, currency, msisdn,
                                   request_id=request.headers.get("X-Request-ID", "")[:128] or None)
    _maybe_slow(state, scenario)  # the wallet has the charge; only its answer is slow
    if not created and (charge.amount, charge.currency) != (amount, currency):
        return _error(409, "reference_conflict")
    return jsonify(charge.public()), 201 if created else 200


@bp.get("/v1/charges/<charge_id>")
def get_charge(charge_id: str) -> Response:
    state = _state()
    charge = state.charges.get(charge_id)
    if charge is None:
        return _error(404, "not_found")
    _maybe_slow(state, charge.scenario)
    return jsonify(charge.public())


@bp.get("/v1/charges")
def find_charge() -> Response:
    charge_id = _state().by_reference.get(request.args.get("merchant_reference", ""))
    return get_charge(charge_id or "")


@bp.post("/v1/charges/<charge_id>/callbacks")
def resend_callback(charge_id: str) -> Response:
    state = _state()
    charge = state.charges.get(charge_id)
    if charge is None:
        return _error(404, "not_found")
    if charge.status == "pending":
        return _error(409, "still_pending")
    return jsonify(delivered_status=state.deliver(charge))


@bp.post("/v1/refunds")
def create_refund() -> Response | tuple[Response, int]:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("refund_reference"), str):
        return _error(400, "invalid_request")
    answer = _state().refund(str(payload["refund_reference"])[:64], str(payload.get("merchant_reference", "")),
                             payload.get("amount"), str(payload.get("currency", "")))
    if isinstance(answer, str):
        return _error(404 if answer == "not_found" else 422, answer)
    refund, created = answer
    return jsonify(refund), 201 if created else 200


def _signed(state: WalletState) -> bool:
    timestamp = request.headers.get("X-Sandbox-Timestamp", "")
    given = request.headers.get("X-Sandbox-Signature", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > state.config.tolerance_seconds:
        return False
    path = request.path + (f"?{request.query_string.decode()}" if request.query_string else "")
    expected = sign(state.config.secret, timestamp, f"{request.method}.{path}.".encode() + request.get_data())
    return hmac.compare_digest(expected, given)


def _charge_fields(payload: Any) -> tuple[str, int, str, str] | None:
    if not isinstance(payload, dict):
        return None
    reference, amount = payload.get("merchant_reference"), payload.get("amount")
    currency, msisdn = payload.get("currency"), payload.get("msisdn")
    if not (isinstance(reference, str) and 0 < len(reference) <= 64):
        return None
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        return None
    if not (isinstance(currency, str) and len(currency) == 3 and isinstance(msisdn, str) and msisdn):
        return None
    return reference, amount, currency, msisdn


def _maybe_slow(state: WalletState, scenario: str) -> None:
    if scenario == scenarios.SLOW:
        time.sleep(state.config.slow_seconds)


def _error(status: int, code: str) -> Response:
    response = jsonify(error=code)
    response.status_code = status
    return response
