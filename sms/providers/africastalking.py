"""Africa's Talking through the official `africastalking` SDK.

The SDK builds the request (URL from its `_baseUrl` attribute, form fields,
`apiKey` header); `AT_API_BASE_URL` replaces `_baseUrl` so tests and staging reach
a local server. Its transport calls `requests.post` anew for each message and
turns every non-2xx into a bare exception carrying only the body, which loses the
status code we must classify on; so `_make_request` is overridden to send the
SDK-built request on one pooled session and keep the status.
"""

from __future__ import annotations

import urllib.request
from typing import Any

import requests
from africastalking.SMS import SMSService

from app.providerlog.capture import instrument
from app.settings import Settings
from sms.providers.base import SendFailed, SendResult, http_status_retryable

API_VERSION_PATH = "/version1"
# Per-recipient status codes in the send response: 100 Processed, 101 Sent, 102 Queued.
ACCEPTED_CODES = frozenset({100, 101, 102})
# 402 InvalidSenderId, 403 InvalidPhoneNumber, 404 UnsupportedNumberType, 406 UserInBlacklist,
# 409 DoNotDisturbRejection: the same every time.
PERMANENT_CODES = frozenset({402, 403, 404, 406, 409})
REQUEST_TIMEOUT_SECONDS = (3.05, 10.0)


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


class AfricasTalkingProvider:
    name = "africastalking"

    def __init__(self, settings: Settings) -> None:
        self.service = _PooledSMSService(settings.AT_USERNAME, settings.AT_API_KEY)
        self.service.session = instrument(requests.Session(), self.name)
        if not urllib.request.getproxies():
            self.service.session.trust_env = False  # no per-call environment scan for a proxy
        if settings.AT_API_BASE_URL:
            self.service._baseUrl = api_base_url(settings.AT_API_BASE_URL)
        self.sender_id = settings.AT_SENDER_ID or None

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
