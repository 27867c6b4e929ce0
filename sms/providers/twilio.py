"""Twilio through the official `twilio` SDK: sending, signed webhooks, TwiML, status callbacks.

`TWILIO_API_BASE_URL` replaces the API domain's `base_url` (`client.api.base_url`),
so tests and staging drive the real SDK against a local server. One pooled
`TwilioHttpClient` per process keeps connections alive between messages.
"""

from __future__ import annotations

import logging
import urllib.request
from functools import cached_property
from typing import TYPE_CHECKING

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import SIGNATURE_SETTINGS_HEADER, RequestValidator, get_signature_algorithm
from twilio.rest import Client
from twilio.twiml.messaging_response import MessagingResponse

from app.providerlog.capture import instrument
from sms.models import DELIVERED, FAILED, QUEUED, SENT, UNDELIVERED
from sms.providers.base import (
    Acknowledgement,
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

# Twilio error codes (https://www.twilio.com/docs/api/errors) worth another try later...
RETRYABLE_CODES = frozenset({"20429", "30001", "30003", "30008", "30017", "30022"})
# ...and those that will fail the same way every time.
PERMANENT_CODES = frozenset({"21211", "21408", "21610", "21612", "21614", "30004", "30005", "30006", "30007"})
REQUEST_TIMEOUT_SECONDS = 10.0
STATUS_CALLBACK_PATH = "/sms/twilio/status"
STATUSES: dict[str, str] = {
    "accepted": QUEUED, "scheduled": QUEUED, "queued": QUEUED, "sending": QUEUED, "sent": SENT,
    "delivered": DELIVERED, "read": DELIVERED, "undelivered": UNDELIVERED, "failed": FAILED, "canceled": FAILED,
}


def code_is_retryable(code: str | None) -> bool:
    return bool(code) and str(code) in RETRYABLE_CODES


class TwilioProvider(SmsProvider):
    name = "twilio"
    inbound_path = "/sms/twilio"
    report_path = STATUS_CALLBACK_PATH
    replies_inline = True  # Twilio takes the reply as TwiML in the webhook's response

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.from_ = settings.TWILIO_FROM or ""
        self.status_callback = settings.PUBLIC_BASE_URL.rstrip("/") + STATUS_CALLBACK_PATH

    @classmethod
    def is_configured(cls, settings: Settings) -> bool:
        return bool(settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN and settings.TWILIO_FROM)

    @cached_property
    def client(self) -> Client:
        # The SDK logs every request at INFO (URL and form); keep message bodies out of our logs.
        logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
        http_client = TwilioHttpClient(pool_connections=True, timeout=REQUEST_TIMEOUT_SECONDS)
        if http_client.session is not None and not urllib.request.getproxies():
            # Without a proxy configured, skip requests' per-call scan of the environment for one
            # (a third of the SDK's time per message on the send path).
            http_client.session.trust_env = False
        if http_client.session is not None:
            instrument(http_client.session, self.name)
        client = Client(self.settings.TWILIO_ACCOUNT_SID, self.settings.TWILIO_AUTH_TOKEN, http_client=http_client)
        if self.settings.TWILIO_API_BASE_URL:
            client.api.base_url = self.settings.TWILIO_API_BASE_URL.rstrip("/")
        return client

    def warm_up(self) -> None:
        self.client.messages  # noqa: B018  (the REST API's modules are imported on first use: ~0.5 s)

    def send(self, *, to: str, body: str, kind: str) -> SendResult:
        try:
            message = self.client.messages.create(to=to, from_=self.from_, body=body,
                                                  status_callback=self.status_callback)
        except TwilioRestException as exc:
            raise classify(exc.status, exc.code, exc.msg) from exc
        except requests.RequestException as exc:
            raise SendFailed("network", type(exc).__name__, retryable=True) from exc
        return SendResult(provider_message_id=str(message.sid), provider_status=str(message.status or "queued"))

    def verify(self, request: WebhookRequest) -> bool:
        """Twilio's own validator over the public URL and every posted field (it also tries the URL with
        and without the default port, as Twilio signs either)."""
        token = self.settings.TWILIO_AUTH_TOKEN
        signature = request.headers.get("X-Twilio-Signature", "")
        if not token or not signature:
            return False
        algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
        return bool(RequestValidator(token).validate(request.public_url, request.form, signature, algorithm))

    def parse_inbound(self, request: WebhookRequest) -> InboundText:
        sid, sender = required(request.form, "MessageSid", "From")
        return InboundText(self.name, sid, sender, request.form.get("To", ""), request.form.get("Body", ""))

    def parse_report(self, request: WebhookRequest) -> DeliveryReport | None:
        form = request.form
        sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
        raw = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip().lower()
        if not sid or not raw:
            required(form, "MessageSid", "MessageStatus")
        if raw not in STATUSES:
            return None
        code = (form.get("ErrorCode") or "").strip() or None
        return DeliveryReport(self.name, sid[:80], STATUSES[raw], raw, code, (form.get("ErrorMessage") or None),
                              retryable=code_is_retryable(code))

    def acknowledge(self, reply: str | None) -> Acknowledgement:
        twiml = MessagingResponse()
        if reply:
            twiml.message(reply)
        return Acknowledgement(str(twiml), "application/xml")


def classify(http_status: int, code: int | str | None, reason: str | None) -> SendFailed:
    code_text = str(code) if code else f"http_{http_status}"
    if code_text in PERMANENT_CODES:
        retryable = False
    elif code_text in RETRYABLE_CODES:
        retryable = True
    else:
        retryable = http_status_retryable(http_status)
    return SendFailed(code_text, reason or f"HTTP {http_status}", retryable=retryable)
