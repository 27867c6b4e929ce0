"""Adapter for the sandbox wallet (`sandbox_wallet/`), a JazzCash/Easypaisa-style merchant API.

Requests and callbacks are signed with HMAC-SHA256 over `"{timestamp}.{message}"` with
the shared secret: for our requests the message is `METHOD.path.body`, for its
callbacks just the body. Stale timestamps are refused so a captured callback cannot
be replayed forever.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import requests

from app import request_id
from app.providerlog.capture import instrument
from payments.providers.base import (
    CHARGE_FAILED,
    CHARGE_NOT_FOUND,
    CHARGE_PENDING,
    CHARGE_SUCCEEDED,
    CallbackEvent,
    ChargeRequest,
    ChargeStatus,
    InvalidSignature,
    MalformedCallback,
    PermanentProviderError,
    RefundRequest,
    RefundStatus,
    TransientProviderError,
    WalletProvider,
    reason_code,
)

if TYPE_CHECKING:
    from app.settings import Settings

SIGNATURE_HEADER = "X-Sandbox-Signature"
TIMESTAMP_HEADER = "X-Sandbox-Timestamp"
# ASCII digits only, at most 12 (str.isdigit() accepts "٣" and int() of 5,000 digits raises): checked first.
_TIMESTAMP = re.compile(r"[0-9]{1,12}", re.ASCII)
STATES = {"pending": CHARGE_PENDING, "succeeded": CHARGE_SUCCEEDED, "failed": CHARGE_FAILED}


def sign(secret: str, timestamp: str, message: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + message, hashlib.sha256).hexdigest()


class SandboxWallet(WalletProvider):
    name = "sandbox"
    title = "Sandbox wallet"

    def __init__(self, *, base_url: str, secret: str, timeout: float = 10.0, tolerance: int = 300) -> None:
        self.base_url = base_url.rstrip("/")
        self.secret = secret
        self.timeout = timeout
        self.tolerance = tolerance
        self.session = instrument(requests.Session(), self.name)

    @classmethod
    def from_settings(cls, settings: Settings) -> SandboxWallet:
        return cls(base_url=settings.SANDBOX_WALLET_URL, secret=settings.SANDBOX_WALLET_SECRET,
                   timeout=settings.PAYMENT_PROVIDER_TIMEOUT_SECONDS,
                   tolerance=settings.PAYMENT_CALLBACK_TOLERANCE_SECONDS)

    # -- outgoing -----------------------------------------------------------------------------------------

    def start_charge(self, request: ChargeRequest) -> ChargeStatus:
        body = {"merchant_reference": request.merchant_reference, "amount": request.amount,
                "currency": request.currency, "msisdn": request.msisdn, "description": request.description}
        status, payload = self._call("POST", "/v1/charges", body)
        if status in (200, 201):
            return self._status(payload)
        if 400 <= status < 500:
            raise PermanentProviderError(str(payload.get("error") or "provider_error"), f"HTTP {status}")
        raise TransientProviderError(f"sandbox answered HTTP {status}")

    def query_charge(self, *, merchant_reference: str, provider_reference: str | None) -> ChargeStatus:
        path = (f"/v1/charges/{quote(provider_reference, safe='')}" if provider_reference
                else f"/v1/charges?merchant_reference={quote(merchant_reference, safe='')}")
        status, payload = self._call("GET", path, None)
        if status == 200:
            return self._status(payload)
        if status == 404:
            return ChargeStatus(state=CHARGE_NOT_FOUND, merchant_reference=merchant_reference,
                                provider_reference=provider_reference, raw=payload)
        raise TransientProviderError(f"sandbox status query answered HTTP {status}")

    def refund(self, request: RefundRequest) -> RefundStatus:
        body = {"refund_reference": request.refund_reference, "merchant_reference": request.merchant_reference,
                "amount": request.amount, "currency": request.currency}
        status, payload = self._call("POST", "/v1/refunds", body)
        if status in (200, 201) and payload.get("status") == "succeeded":
            return RefundStatus(state="succeeded", refund_reference=request.refund_reference,
                                provider_reference=str(payload.get("refund_id") or ""), raw=payload)
        if 400 <= status < 500:
            raise PermanentProviderError(str(payload.get("error") or "provider_error"), f"HTTP {status}")
        raise TransientProviderError(f"sandbox refund answered HTTP {status}")

    def _call(self, method: str, path: str, body: dict[str, Any] | None) -> tuple[int, dict[str, Any]]:
        data = json.dumps(body).encode() if body is not None else b""
        timestamp = str(int(time.time()))
        headers = {TIMESTAMP_HEADER: timestamp,
                   SIGNATURE_HEADER: sign(self.secret, timestamp, f"{method}.{path}.".encode() + data),
                   "Content-Type": "application/json"}
        if trace := request_id.current():
            headers[request_id.HEADER] = trace  # the sandbox echoes it on its callback
        try:
            response = self.session.request(method, self.base_url + path, data=data or None, headers=headers,
                                            timeout=self.timeout)
        except requests.RequestException as exc:
            raise TransientProviderError(f"sandbox unreachable: {type(exc).__name__}") from exc
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        return response.status_code, payload if isinstance(payload, dict) else {}

    @staticmethod
    def _status(payload: dict[str, Any]) -> ChargeStatus:
        try:
            state = STATES[str(payload["status"])]
            return ChargeStatus(state=state, merchant_reference=str(payload["merchant_reference"]),
                                provider_reference=str(payload["charge_id"]), amount=int(payload["amount"]),
                                currency=str(payload["currency"]),
                                reason=reason_code(payload.get("reason")) if state == CHARGE_FAILED else None,
                                raw=payload)
        except (KeyError, TypeError, ValueError) as exc:
            raise TransientProviderError("sandbox sent an unreadable charge") from exc

    # -- incoming -----------------------------------------------------------------------------------------

    def parse_callback(self, *, body: bytes, headers: Mapping[str, str]) -> CallbackEvent:
        self._verify(body, headers)
        try:
            payload = json.loads(body)
            state = STATES[str(payload["status"])]
            amount = payload["amount"]
            if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
                raise ValueError("amount must be integer paisa")
            return CallbackEvent(
                event_id=_text(payload, "event_id"), merchant_reference=_text(payload, "merchant_reference"),
                provider_reference=_text(payload, "charge_id"), state=state, amount=amount,
                currency=_text(payload, "currency"),
                reason=reason_code(payload.get("reason")) if state == CHARGE_FAILED else None, raw=payload)
        except (ValueError, KeyError, TypeError) as exc:
            raise MalformedCallback(str(exc)) from exc

    def _verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        timestamp = str(headers.get(TIMESTAMP_HEADER, ""))
        given = str(headers.get(SIGNATURE_HEADER, ""))
        if not _TIMESTAMP.fullmatch(timestamp) or not given:
            raise InvalidSignature("missing signature or timestamp")
        if abs(time.time() - int(timestamp)) > self.tolerance:
            raise InvalidSignature("stale timestamp")
        # Bytes, not str: compare_digest raises TypeError on a non-ASCII str (an unauthenticated 500).
        expected = sign(self.secret, timestamp, body).encode()
        if not hmac.compare_digest(expected, given.removeprefix("sha256=").encode("utf-8", "replace")):
            raise InvalidSignature("signature mismatch")


def _text(payload: dict[str, Any], key: str, limit: int = 80) -> str:
    value = payload[key]
    if not isinstance(value, str) or not value or len(value) > limit:
        raise ValueError(f"{key} must be a non-empty string")
    return value
