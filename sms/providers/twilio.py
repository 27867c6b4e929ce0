"""Twilio through the official `twilio` SDK.

`TWILIO_API_BASE_URL` replaces the API domain's `base_url` (`client.api.base_url`),
so tests and staging drive the real SDK against a local server. One pooled
`TwilioHttpClient` per process keeps connections alive between messages.
"""

from __future__ import annotations

import logging
import urllib.request

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from app.providerlog.capture import instrument
from app.settings import Settings
from sms.providers.base import SendFailed, SendResult, http_status_retryable

# Twilio error codes (https://www.twilio.com/docs/api/errors) worth another try later...
RETRYABLE_CODES = frozenset({"20429", "30001", "30003", "30008", "30017", "30022"})
# ...and those that will fail the same way every time.
PERMANENT_CODES = frozenset({"21211", "21408", "21610", "21612", "21614", "30004", "30005", "30006", "30007"})
REQUEST_TIMEOUT_SECONDS = 10.0
STATUS_CALLBACK_PATH = "/sms/twilio/status"


def code_is_retryable(code: str | None) -> bool:
    return bool(code) and str(code) in RETRYABLE_CODES


class TwilioProvider:
    name = "twilio"

    def __init__(self, settings: Settings) -> None:
        # The SDK logs every request at INFO (URL and form); keep message bodies out of our logs.
        logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
        http_client = TwilioHttpClient(pool_connections=True, timeout=REQUEST_TIMEOUT_SECONDS)
        if http_client.session is not None and not urllib.request.getproxies():
            # Without a proxy configured, skip requests' per-call scan of the environment for one
            # (a third of the SDK's time per message on the send path).
            http_client.session.trust_env = False
        if http_client.session is not None:
            instrument(http_client.session, self.name)
        self.client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)
        if settings.TWILIO_API_BASE_URL:
            self.client.api.base_url = settings.TWILIO_API_BASE_URL.rstrip("/")
        self.from_ = settings.TWILIO_FROM or ""
        self.status_callback = settings.PUBLIC_BASE_URL.rstrip("/") + STATUS_CALLBACK_PATH

    def send(self, *, to: str, body: str, kind: str) -> SendResult:
        try:
            message = self.client.messages.create(to=to, from_=self.from_, body=body,
                                                  status_callback=self.status_callback)
        except TwilioRestException as exc:
            raise classify(exc.status, exc.code, exc.msg) from exc
        except requests.RequestException as exc:
            raise SendFailed("network", type(exc).__name__, retryable=True) from exc
        return SendResult(provider_message_id=str(message.sid), provider_status=str(message.status or "queued"))


def classify(http_status: int, code: int | str | None, reason: str | None) -> SendFailed:
    code_text = str(code) if code else f"http_{http_status}"
    if code_text in PERMANENT_CODES:
        retryable = False
    elif code_text in RETRYABLE_CODES:
        retryable = True
    else:
        retryable = http_status_retryable(http_status)
    return SendFailed(code_text, reason or f"HTTP {http_status}", retryable=retryable)
