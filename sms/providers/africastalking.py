"""Africa's Talking through the official `africastalking` SDK: sending, token-protected webhooks,
delivery reports.

The SDK builds the request (URL from its `_baseUrl` attribute, form fields,
`apiKey` header); `AT_API_BASE_URL` replaces `_baseUrl` so tests and staging reach
a local server. Its transport calls `requests.post` anew for each message and
turns every non-2xx into a bare exception carrying only the body, which loses the
status code we must classify on; so `_make_request` is overridden to send the
SDK-built request on one pooled session and keep the status.
"""

from __future__ import annotations

import urllib.request
from functools import cached_property
from typing import TYPE_CHECKING, Any

import requests
from africastalking.SMS import SMSService

from app.providerlog.capture import instrument
from app.webhooks import at_token_refusal
from sms.models import DELIVERED, FAILED, SENT, UNDELIVERED
from sms.providers.base import (
    DeliveryReport,
    InboundText,
    SendFailed,
    SendResult,
    SmsProvider,
    WebhookRequest,
    http_status_retryable,
    required,
)

if TYPE_CHECKING:
    from app.settings import Settings

API_VERSION_PATH = "/version1"
# Per-recipient status codes in the send response: 100 Processed, 101 Sent, 102 Queued.
ACCEPTED_CODES = frozenset({100, 101, 102})
# 402 InvalidSenderId, 403 InvalidPhoneNumber, 404 UnsupportedNumberType, 406 UserInBlacklist,
# 409 DoNotDisturbRejection: the same every time.
PERMANENT_CODES = frozenset({402, 403, 404, 406, 409})
REQUEST_TIMEOUT_SECONDS = (3.05, 10.0)
STATUSES: dict[str, str] = {
    "Sent": SENT, "Submitted": SENT, "Buffered": SENT, "Success": DELIVERED, "Failed": UNDELIVERED,
    "Rejected": FAILED,
}
# Held at the operator (the handset is off or out of coverage): retried after a while, see sms.delivery.
BUFFERED = "Buffered"


class ATHttpError(Exception):
    def __init__(self, status: int, text: str) -> None:
        super().__init__(f"HTTP {status}: {text[:200]}")
        self.status = status
        self.text = text


class _PooledSMSService(SMSService):  # type: ignore[misc]
    session: requests.Session

    def _make_request(self, url: str, method: str, headers: dict[str, str], data: Any, params: Any,
                      callback: Any = None, timeout: Any = REQUEST_TIMEOUT_SECONDS) -> Any:
        response = self.session.request(method.upper(), url, headers=headers, data=data, params=params,
                                        timeout=timeout)
        if not 200 <= response.status_code < 300:
            raise ATHttpError(response.status_code, response.text)
        return response.json()


def api_base_url(configured: str) -> str:
    """`AT_API_BASE_URL` is the API root; the SMS service lives under `/version1`."""
    root = configured.rstrip("/")
    return root if root.endswith(API_VERSION_PATH) else root + API_VERSION_PATH


class AfricasTalkingProvider(SmsProvider):
    name = "africastalking"
    inbound_path = "/sms/africastalking"
    report_path = "/sms/africastalking/delivery"
    replies_inline = False  # AT ignores the webhook's body: replies go out through the send queue
    refusal_reason = "bad_token"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.sender_id = settings.AT_SENDER_ID or None

    @classmethod
    def is_configured(cls, settings: Settings) -> bool:
        return bool(settings.AT_USERNAME and settings.AT_API_KEY)

    def warm_up(self) -> None:
        self.service  # noqa: B018

    @cached_property
    def service(self) -> _PooledSMSService:
        service = _PooledSMSService(self.settings.AT_USERNAME, self.settings.AT_API_KEY)
        service.session = instrument(requests.Session(), self.name)
        if not urllib.request.getproxies():
            service.session.trust_env = False  # no per-call environment scan for a proxy
        if self.settings.AT_API_BASE_URL:
            service._baseUrl = api_base_url(self.settings.AT_API_BASE_URL)
        return service

    def verify(self, request: WebhookRequest) -> bool:
        """AT does not sign callbacks: the shared AT_WEBHOOK_TOKEN (the same rule as the USSD callbacks)."""
        return at_token_refusal(request.args, request.headers, self.settings) is None

    def parse_inbound(self, request: WebhookRequest) -> InboundText:
        message_id, sender = required(request.form, "id", "from")
        form = request.form
        return InboundText(self.name, message_id, sender, form.get("to", ""), form.get("text", ""),
                           form.get("linkId") or None)

    def parse_report(self, request: WebhookRequest) -> DeliveryReport | None:
        message_id, raw = required(request.form, "id", "status")
        if raw not in STATUSES:
            return None
        reason = (request.form.get("failureReason") or "").strip() or None
        return DeliveryReport(self.name, message_id[:80], STATUSES[raw], raw, reason, reason)

    def send(self, *, to: str, body: str, kind: str) -> SendResult:
        try:
            response = self.service.send(body, [to], sender_id=self.sender_id)
        except ATHttpError as exc:
            raise SendFailed(f"http_{exc.status}", exc.text or f"HTTP {exc.status}",
                             retryable=http_status_retryable(exc.status)) from exc
        except requests.RequestException as exc:
            raise SendFailed("network", type(exc).__name__, retryable=True) from exc
        except ValueError as exc:  # the SDK refuses a malformed number before sending; JSON errors too
            raise SendFailed("invalid", str(exc), retryable=False) from exc
        return _result(response)


def _result(response: Any) -> SendResult:
    data = response.get("SMSMessageData", {}) if isinstance(response, dict) else {}
    recipients = data.get("Recipients") or []
    if not recipients:
        raise SendFailed("no_recipient", str(data.get("Message") or "no recipients accepted"), retryable=False)
    first = recipients[0]
    code = int(first.get("statusCode") or 0)
    if code in ACCEPTED_CODES:
        return SendResult(provider_message_id=str(first.get("messageId")), provider_status=str(first.get("status")))
    retryable = code not in PERMANENT_CODES
    raise SendFailed(str(code), str(first.get("status") or "rejected"), retryable=retryable)
