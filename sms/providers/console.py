"""The local-run provider: the message goes to the log instead of a phone."""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from app.citizens.identity import mask_msisdn
from app.messages.redaction import redact
from sms.providers.base import SendResult, SmsProvider

if TYPE_CHECKING:
    from app.settings import Settings

log = logging.getLogger("rabta.sms.console")


class ConsoleProvider(SmsProvider):
    name = "console"

    @classmethod
    def is_configured(cls, settings: Settings) -> bool:
        return True

    def send(self, *, to: str, body: str, kind: str) -> SendResult:
        log.info("SMS to %s [%s]: %s", mask_msisdn(to), kind, redact(body, kind))
        return SendResult(provider_message_id=f"console-{uuid.uuid4().hex[:20]}", provider_status="logged")
