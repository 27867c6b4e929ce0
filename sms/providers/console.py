"""The local-run provider: the message goes to the log instead of a phone."""

from __future__ import annotations

import logging
import re
import uuid

from app.citizens.identity import mask_msisdn
from sms.providers.base import SendResult

log = logging.getLogger("rabta.sms.console")

# Codes must never reach a log, even a developer's.
SENSITIVE_KINDS = frozenset({"otp", "pay_code"})
_DIGIT_RUN = re.compile(r"\d{4,8}")


def redact(body: str, kind: str) -> str:
    return _DIGIT_RUN.sub(lambda m: "*" * len(m.group()), body) if kind in SENSITIVE_KINDS else body


class ConsoleProvider:
    name = "console"

    def send(self, *, to: str, body: str, kind: str) -> SendResult:
        log.info("SMS to %s [%s]: %s", mask_msisdn(to), kind, redact(body, kind))
        return SendResult(provider_message_id=f"console-{uuid.uuid4().hex[:20]}", provider_status="logged")
