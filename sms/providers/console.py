"""The local-run provider: the message goes to the log instead of a phone.

Codes (OTP, PAY confirmation) are masked in its output (`app.messages.redaction`), except
in development (`RABTA_ENV=development`), where a developer has no phone to read them from:
there the output shows them in clear, and each message is also appended to a transcript in
the instance folder that `rabta outbox tail` reads. Never in test or production.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from pathlib import Path

from app.citizens.identity import mask_msisdn
from app.messages.redaction import redact
from app.settings import Settings
from sms.providers.base import SendResult, SmsProvider

log = logging.getLogger("rabta.sms.console")

TRANSCRIPT_FILE = "console-sms.jsonl"
_transcript_lock = threading.Lock()


def shows_codes(settings: Settings) -> bool:
    """The one rule for where codes may be shown in clear: development only."""
    return settings.RABTA_ENV == "development"


def transcript_path(settings: Settings) -> Path:
    return settings.INSTANCE_PATH.resolve() / TRANSCRIPT_FILE


def read_transcript(path: Path) -> dict[str, str]:
    """provider message id -> the body as sent (development only; the file does not exist elsewhere)."""
    bodies: dict[str, str] = {}
    if not path.exists():
        return bodies
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
            bodies[str(entry["id"])] = str(entry["body"])
        except (ValueError, KeyError, TypeError):
            continue
    return bodies


class ConsoleProvider(SmsProvider):
    name = "console"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.transcript = transcript_path(settings) if shows_codes(settings) else None  # development only

    @classmethod
    def is_configured(cls, settings: Settings) -> bool:
        return True

    def send(self, *, to: str, body: str, kind: str) -> SendResult:
        message_id = f"console-{uuid.uuid4().hex[:20]}"
        log.info("SMS to %s [%s]: %s", mask_msisdn(to), kind, body if self.transcript else redact(body, kind))
        if self.transcript is not None:
            _append(self.transcript, message_id, body)
        return SendResult(provider_message_id=message_id, provider_status="logged")


def _append(path: Path, message_id: str, body: str) -> None:
    line = json.dumps({"id": message_id, "body": body}, ensure_ascii=False)
    with _transcript_lock, open(path, "a", encoding="utf-8") as out:
        out.write(line + "\n")
