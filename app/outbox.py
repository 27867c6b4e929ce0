"""`rabta outbox tail`: the texts Rabta sent (or is sending), for whom, of what kind, with delivery status.

Numbers are masked unless the operator asked for one number; codes (OTP, PAY) are
shown only in development, read from the console provider's transcript, never from
a table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.citizens.identity import mask_msisdn, normalise_msisdn
from app.messages.redaction import carries_code, find_codes, redact
from app.settings import Settings
from sms.models import OutboundMessage
from sms.providers.console import read_transcript, shows_codes, transcript_path


@dataclass(frozen=True)
class SentLine:
    at: datetime
    to: str
    kind: str
    status: str
    provider: str
    body: str

    def render(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S}  {self.to:<14} {self.kind:<16} {self.status:<11} {self.provider:<14} " \
               f"{self.body}"


def recent(*, session: Session, settings: Settings, number: str | None = None, kind: str | None = None,
           limit: int = 20) -> list[SentLine]:
    """The newest `limit` outbound texts, oldest first (like `tail`)."""
    query = select(OutboundMessage).order_by(col(OutboundMessage.id).desc()).limit(limit)
    if number:
        query = query.where(OutboundMessage.to == normalise_msisdn(number, settings.DEFAULT_REGION))
    if kind:
        query = query.where(OutboundMessage.kind == kind)
    rows = list(session.exec(query))[::-1]
    show_codes = shows_codes(settings)
    clear = read_transcript(transcript_path(settings)) if show_codes else {}
    return [SentLine(at=row.sent_at or row.created_at, to=row.to if number else mask_msisdn(row.to),
                     kind=row.kind, status=row.status, provider=row.provider or "-",
                     body=_shown_body(row, clear, show_codes)) for row in rows]


def newest_code(lines: list[SentLine]) -> str | None:
    for line in reversed(lines):
        if carries_code(line.kind) and find_codes(line.body):
            return find_codes(line.body)[-1]
    return None


def _shown_body(row: OutboundMessage, clear: dict[str, str], show_codes: bool) -> str:
    if show_codes:
        return clear.get(row.provider_message_id or "") or row.body
    return redact(row.body, row.kind)


@dataclass(frozen=True)
class InboxLine:
    """One text as a phone received it (the phone simulator's inbox): the body as sent when a record of
    it exists (the console transcript in development, the simulator's own record), else as stored,
    codes masked."""

    id: int
    at: datetime
    kind: str
    status: str
    provider: str
    body: str
    segments: int
    encoding: str
    error_code: str | None


def inbox(*, session: Session, settings: Settings, number: str, limit: int = 30,
          clear_bodies: Callable[[list[str]], dict[str, str]] | None = None) -> list[InboxLine]:
    """The newest `limit` texts to `number` (E.164), oldest first, with delivery status, segments and encoding."""
    query = (select(OutboundMessage).where(OutboundMessage.to == number)
             .order_by(col(OutboundMessage.id).desc()).limit(limit))
    rows = list(session.exec(query))[::-1]
    clear = read_transcript(transcript_path(settings)) if shows_codes(settings) else {}
    if clear_bodies is not None:
        clear.update(clear_bodies([row.provider_message_id for row in rows if row.provider_message_id]))
    return [InboxLine(id=row.id or 0, at=row.sent_at or row.created_at, kind=row.kind, status=row.status,
                      provider=row.provider or "-",
                      body=clear.get(row.provider_message_id or "") or redact(row.body, row.kind),
                      segments=row.segments, encoding=row.encoding, error_code=row.error_code) for row in rows]
