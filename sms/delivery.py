"""Delivery reports from both providers, normalised into one forward-only status.

Reports arrive out of order and repeatedly: a report may only raise a message's
status rank (queued < sent < delivered | undelivered | failed) and the three
outcomes are final. A retryable delivery failure (Twilio 30003/30008, an AT message
stuck in `Buffered`) puts the message back in the send queue as a new attempt;
reports about the old attempt then no longer match and change nothing.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app import metrics
from sms.models import (
    DELIVERED,
    FAILED,
    FINAL_STATUSES,
    PERMANENT,
    QUEUED,
    SENT,
    STATUS_RANK,
    TEMPORARY,
    UNDELIVERED,
    OutboundMessage,
)
from sms.providers.africastalking import BUFFERED as AT_BUFFERED
from sms.providers.africastalking import AfricasTalkingProvider
from sms.providers.base import DeliveryReport
from sms.sending import MAX_ATTEMPTS, retry_delay

BUFFERED_TIMEOUT = timedelta(minutes=30)

APPLIED, IGNORED, UNKNOWN, RETRY = "applied", "ignored", "unknown", "retry"


def apply_report(*, session: Session, report: DeliveryReport, now: datetime,
                 rng: random.Random | None = None) -> tuple[str, int | None, float]:
    """Apply one report; return (outcome, message id, retry delay in seconds when the outcome is RETRY)."""
    message = session.exec(
        select(OutboundMessage).where(OutboundMessage.provider == report.provider,
                                      OutboundMessage.provider_message_id == report.provider_message_id)
        .with_for_update()
    ).first()
    if message is None:
        return UNKNOWN, None, 0.0
    if message.status in FINAL_STATUSES or STATUS_RANK[report.status] < STATUS_RANK[message.status]:
        return IGNORED, message.id, 0.0
    if report.status == message.status:
        if report.provider_status == message.provider_status:
            return IGNORED, message.id, 0.0
        message.provider_status = report.provider_status[:30]  # e.g. AT Sent -> Buffered: starts the clock
    elif report.status in (UNDELIVERED, FAILED):
        outcome, delay = fail_or_retry(message, report, now, rng)
        session.add(message)
        return outcome, message.id, delay
    else:
        message.status = report.status
        message.provider_status = report.provider_status[:30]
        if report.status == DELIVERED:
            message.delivered_at = now
            metrics.observe_sms_delivery(report.provider, (now - (message.sent_at or now)).total_seconds())
    message.updated_at = now
    session.add(message)
    return APPLIED, message.id, 0.0


def fail_or_retry(message: OutboundMessage, report: DeliveryReport, now: datetime,
                  rng: random.Random | None = None) -> tuple[str, float]:
    """A delivery failure: a new attempt when it may work later and attempts remain, else final."""
    message.error_code = (report.error_code or report.provider_status)[:40]
    message.error_reason = (report.error_reason or report.provider_status)[:200]
    message.provider_status = report.provider_status[:30]
    message.updated_at = now
    if report.retryable and message.attempts < MAX_ATTEMPTS:
        delay = retry_delay(message.attempts, rng)
        message.status, message.failure_class = QUEUED, TEMPORARY
        message.provider_message_id = None
        message.next_attempt_at = now + timedelta(seconds=delay)
        return RETRY, delay
    message.status = report.status
    message.failure_class = TEMPORARY if report.retryable else PERMANENT
    return APPLIED, 0.0


def stale_buffered(*, session: Session, now: datetime, limit: int = 200) -> list[OutboundMessage]:
    """AT messages stuck at the operator longer than BUFFERED_TIMEOUT."""
    query = (select(OutboundMessage)
             .where(OutboundMessage.provider == AfricasTalkingProvider.name, OutboundMessage.status == SENT,
                    OutboundMessage.provider_status == AT_BUFFERED,
                    col(OutboundMessage.updated_at) < now - BUFFERED_TIMEOUT)
             .order_by(col(OutboundMessage.id)).limit(limit).with_for_update())
    return list(session.exec(query))


def buffered_timeout_report(message: OutboundMessage) -> DeliveryReport:
    return DeliveryReport(AfricasTalkingProvider.name, message.provider_message_id or "", UNDELIVERED, AT_BUFFERED,
                          "buffered_timeout", "Still buffered at the operator", retryable=True)
