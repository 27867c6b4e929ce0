"""SMS jobs: send batches, retry, sweep, expire buffered AT messages, bill reminders.

A send job takes a batch of message ids (the outbox drain enqueues one job per
`SEND_BATCH` messages), claims them, sends each through the process-wide SDK client
while honouring the shared per-provider token bucket, and records all outcomes in
one transaction. Retryable failures come back as delayed single-message jobs.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta

from app import metrics
from app.bus import Event
from app.citizens.identity import mask_msisdn
from app.messages import clear_text
from app.messages.redaction import carries_code
from app.queue import SMS, enqueue_many
from app.runtime import Runtime, current
from app.timeutil import utcnow
from sms import delivery, sending
from sms.providers import CONSOLE
from sms.providers.base import DeliveryReport, ProviderNotConfigured, SendFailed
from sms.reminders import queue_bill_reminders
from sms.sending import SIMULATOR, Claimed, Outcome
from sms.throttle import TokenBucket

log = logging.getLogger("rabta.sms.jobs")

SEND_BATCH = 50
REPORT_STASH_SECONDS = 600


def enqueue_queued(runtime: Runtime, events: Sequence[Event]) -> None:
    """Bus handler for `SmsQueued`: one send job per batch of the texts one commit owed."""
    enqueue_sends(runtime, [event.message_id for event in events])  # type: ignore[attr-defined]


def enqueue_sends(runtime: Runtime, message_ids: list[int]) -> None:
    """One send job per `SEND_BATCH` ids, all enqueued in one Redis round trip."""
    batches = [(message_ids[start:start + SEND_BATCH],) for start in range(0, len(message_ids), SEND_BATCH)]
    enqueue_many(runtime.redis, SMS, send_messages, batches)


def enqueue_retry(runtime: Runtime, message_id: int, delay_seconds: float) -> None:
    runtime.enqueue(SMS, send_messages, [message_id], delay=timedelta(seconds=delay_seconds))


def send_messages(message_ids: list[int]) -> dict[str, int]:
    """Send whichever of these messages are still queued and due; safe to run twice."""
    runtime = current()
    token = uuid.uuid4().hex
    with runtime.db.transaction() as session:
        claimed = sending.claim(session=session, ids=[int(i) for i in message_ids], token=token, now=utcnow())
    if not claimed:
        return {"sent": 0, "failed": 0}
    outcomes = _send_all(runtime, claimed)
    with runtime.db.transaction() as session:
        retries = sending.record(session=session, outcomes=outcomes, token=token, now=utcnow())
    for message_id, delay in retries:
        enqueue_retry(runtime, message_id, delay)
    _apply_early_reports(runtime, [o for o in outcomes if o.result is not None])
    sent = sum(1 for o in outcomes if o.result is not None)
    return {"sent": sent, "failed": len(outcomes) - sent}


def _send_all(runtime: Runtime, claimed: list[Claimed]) -> list[Outcome]:
    settings, providers = runtime.settings, runtime.sms
    by_provider: dict[str, list[Claimed]] = defaultdict(list)
    for item in claimed:
        name = sending.provider_for(item.to, item.attempt, providers.primary, providers.fallback,
                                    settings.SIMULATOR_NUMBER_PREFIX)
        by_provider[name].append(item)
    outcomes: list[Outcome] = []
    for name, items in by_provider.items():
        try:
            provider = providers.sender(name)
        except ProviderNotConfigured as exc:
            error = SendFailed("not_configured", str(exc), retryable=True)
            outcomes += [Outcome(item, name, error=error) for item in items]
            continue
        bucket = TokenBucket(runtime.redis, name, settings.SMS_RATE_PER_SECOND)
        bucket.acquire(len(items), max_wait=90)
        for item in items:
            started = time.perf_counter()
            try:
                body = _body_to_send(runtime, item)
                outcomes.append(Outcome(item, name, result=provider.send(to=item.to, body=body, kind=item.kind)))
            except SendFailed as exc:
                metrics.observe_sms_send(name, "failed", time.perf_counter() - started)
                log.warning("sms %s via %s failed: %s (retryable=%s)", item.id, name, exc.code, exc.retryable)
                outcomes.append(Outcome(item, name, error=exc))
                continue
            metrics.observe_sms_send(name, "sent", time.perf_counter() - started)
            if name not in (CONSOLE, SIMULATOR):  # their own line / record is the message
                log.info("sms %s [%s] to %s sent via %s", item.id, item.kind, mask_msisdn(item.to), name)
    return outcomes


def _refs(item: Claimed) -> list[str]:
    refs = [clear_text.for_message(item.id)]
    if item.notification_id is not None:
        refs.append(clear_text.for_notification(item.notification_id))
    return refs


def _body_to_send(runtime: Runtime, item: Claimed) -> str:
    """The stored body, or for a code-carrying kind its clear text from Redis (never from a table)."""
    if not carries_code(item.kind):
        return item.body
    body = clear_text.find(runtime.redis, *_refs(item))
    if body is None:  # expired (or Redis lost it): a masked code is useless, the citizen asks again
        raise SendFailed("code_expired", "the clear text of this code is gone", retryable=False)
    return body


def stash_report(runtime: Runtime, report: DeliveryReport) -> None:
    """Keep a report that beat our own record of the send (or was for nothing we sent) for a while."""
    key = _stash_key(report.provider, report.provider_message_id)
    runtime.redis.set(key, json.dumps(report.to_dict()), ex=REPORT_STASH_SECONDS)


def _stash_key(provider: str, provider_message_id: str) -> str:
    return f"rabta:sms:dlr:{provider}:{provider_message_id}"


def _apply_early_reports(runtime: Runtime, sent: list[Outcome]) -> None:
    if not sent or (runtime.sms.primary == CONSOLE and not runtime.sms.fallback):
        return
    keys = [_stash_key(o.provider, o.result.provider_message_id) for o in sent if o.result is not None]
    found = [json.loads(raw) for raw in runtime.redis.mget(keys) if raw]
    if not found:
        return
    for data in found:
        apply_report(runtime, DeliveryReport(**data), stash_unknown=False)
    runtime.redis.delete(*[_stash_key(d["provider"], d["provider_message_id"]) for d in found])


def apply_report(runtime: Runtime, report: DeliveryReport, *, stash_unknown: bool = True) -> str:
    with runtime.db.transaction() as session:
        outcome, message_id, delay = delivery.apply_report(session=session, report=report, now=utcnow())
    if outcome in (delivery.APPLIED, delivery.RETRY):
        metrics.count_delivery_report(report.provider, report.status)
    if outcome == delivery.UNKNOWN and stash_unknown:
        stash_report(runtime, report)
    if outcome == delivery.RETRY and message_id is not None:
        enqueue_retry(runtime, message_id, delay)
    return outcome


def sweep_outbound() -> int:
    """Periodic: enqueue queued messages nobody is working on (lost kicks, crashed workers)."""
    runtime = current()
    with runtime.db.transaction(immediate=False) as session:
        ids = sending.due_for_sending(session=session, now=utcnow())
    enqueue_sends(runtime, ids)
    return len(ids)


def expire_buffered() -> int:
    """Periodic: AT messages buffered at the operator too long are retried (through the other provider if set)."""
    runtime = current()
    retries: list[tuple[int, float]] = []
    with runtime.db.transaction() as session:
        now = utcnow()
        for message in delivery.stale_buffered(session=session, now=now):
            outcome, delay = delivery.fail_or_retry(message, delivery.buffered_timeout_report(message), now)
            session.add(message)
            if outcome == delivery.RETRY:
                retries.append((message.id or 0, delay))
    for message_id, delay in retries:
        enqueue_retry(runtime, message_id, delay)
    return len(retries)


def send_bill_reminders() -> int:
    """Periodic: owe a reminder for every unpaid bill due within 3 days (once per bill)."""
    runtime = current()
    with runtime.db.transaction() as session:
        return queue_bill_reminders(session=session, today=runtime.today())

