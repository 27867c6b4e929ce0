"""The send path's database side: claim messages, record what the provider said, plan retries.

A worker claims a batch with one compare-and-set UPDATE (status still queued and
no live claim), sends outside any transaction, then records every outcome with one
executemany per kind. A claim that a crashed worker left behind expires after
`CLAIM_SECONDS` and the sweep hands the message to another worker.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, or_, select, update
from sqlmodel import Session, col

from sms.models import FAILED, QUEUED, SENT, TEMPORARY, OutboundMessage
from sms.providers.base import SendFailed, SendResult
from sms.providers.simulator import SimulatorProvider

# About 30 s, 2 min, 10 min between attempts, each jittered by +-20 % so a burst of
# failures does not come back as a burst of retries.
RETRY_DELAYS_SECONDS = (30, 120, 600)
JITTER = 0.2
MAX_ATTEMPTS = len(RETRY_DELAYS_SECONDS) + 1
# After this many retryable failures on the primary provider, the other one is tried.
FAILOVER_AFTER = 2
CLAIM_SECONDS = 300
# A delayed job may be released a little early by the scheduler.
EARLY_TOLERANCE = timedelta(seconds=5)

_table: Any = OutboundMessage.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Claimed:
    id: int
    to: str
    body: str
    kind: str
    attempt: int
    notification_id: int | None = None


@dataclass(frozen=True)
class Outcome:
    claimed: Claimed
    provider: str
    result: SendResult | None = None
    error: SendFailed | None = None


def retry_delay(attempt: int, rng: random.Random | None = None) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based)."""
    base = RETRY_DELAYS_SECONDS[min(attempt, len(RETRY_DELAYS_SECONDS)) - 1]
    return base * (1 + (rng or random).uniform(-JITTER, JITTER))


SIMULATOR = SimulatorProvider.name  # the phone simulator's inbox


def provider_for(to: str, attempt: int, primary: str, fallback: str | None, simulated_prefix: str) -> str:
    """Who gets a text: a number in the simulator's reserved range (`SIMULATOR_NUMBER_PREFIX`) only ever
    goes to the simulator, whatever the attempt or the configured providers; any other to a provider."""
    if simulated_prefix and to.startswith(simulated_prefix):
        return SIMULATOR
    return provider_for_attempt(attempt, primary, fallback)


def provider_for_attempt(attempt: int, primary: str, fallback: str | None) -> str:
    if fallback and fallback != primary and attempt > FAILOVER_AFTER:
        return fallback
    return primary


def claim(*, session: Session, ids: list[int], token: str, now: datetime) -> list[Claimed]:
    if not ids:
        return []
    session.execute(
        update(OutboundMessage)
        .where(col(OutboundMessage.id).in_(ids), col(OutboundMessage.status) == QUEUED,
               or_(col(OutboundMessage.claimed_until).is_(None), col(OutboundMessage.claimed_until) < now),
               or_(col(OutboundMessage.next_attempt_at).is_(None),
                   col(OutboundMessage.next_attempt_at) <= now + EARLY_TOLERANCE))
        .values(claim_token=token, claimed_until=now + timedelta(seconds=CLAIM_SECONDS),
                attempts=col(OutboundMessage.attempts) + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    rows = session.execute(
        select(col(OutboundMessage.id), col(OutboundMessage.to), col(OutboundMessage.body),
               col(OutboundMessage.kind), col(OutboundMessage.attempts), col(OutboundMessage.notification_id))
        .where(col(OutboundMessage.claim_token) == token).order_by(col(OutboundMessage.id))
    ).all()
    return [Claimed(id=r[0], to=r[1], body=r[2], kind=r[3], attempt=r[4], notification_id=r[5]) for r in rows]


def due_for_sending(*, session: Session, now: datetime, grace: timedelta = timedelta(seconds=30),
                    limit: int = 500) -> list[int]:
    """Queued messages nobody is working on whose time has come and whose own kick had `grace` to
    arrive (lost kicks, crashed workers, retries whose delayed job was lost)."""
    query = (select(col(OutboundMessage.id))
             .where(col(OutboundMessage.status) == QUEUED, col(OutboundMessage.updated_at) < now - grace,
                    or_(col(OutboundMessage.claimed_until).is_(None), col(OutboundMessage.claimed_until) < now),
                    or_(col(OutboundMessage.next_attempt_at).is_(None),
                        col(OutboundMessage.next_attempt_at) <= now - grace))
             .order_by(col(OutboundMessage.id)).limit(limit))
    return [int(i) for i in session.execute(query).scalars()]


_MATCH_CLAIM = and_(_table.c.id == bindparam("b_id"), _table.c.claim_token == bindparam("b_token"))
_RECORD_SENT = update(_table).where(_MATCH_CLAIM).values(
    status=SENT, provider=bindparam("b_provider"), provider_message_id=bindparam("b_pid"),
    provider_status=bindparam("b_pstatus"), sent_at=bindparam("b_now"), updated_at=bindparam("b_now"),
    error_code=None, error_reason=None, failure_class=None, claim_token=None, claimed_until=None)
_RECORD_FAILURE = update(_table).where(_MATCH_CLAIM).values(
    status=bindparam("b_status"), provider=bindparam("b_provider"), error_code=bindparam("b_code"),
    error_reason=bindparam("b_reason"), failure_class=bindparam("b_class"), next_attempt_at=bindparam("b_next"),
    updated_at=bindparam("b_now"), claim_token=None, claimed_until=None)


def record(*, session: Session, outcomes: list[Outcome], token: str, now: datetime,
           rng: random.Random | None = None) -> list[tuple[int, float]]:
    """Store each outcome; return (message id, delay) for every message to try again."""
    sent: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    retries: list[tuple[int, float]] = []
    for outcome in outcomes:
        base = {"b_id": outcome.claimed.id, "b_token": token, "b_provider": outcome.provider, "b_now": now}
        if outcome.result is not None:
            sent.append({**base, "b_pid": outcome.result.provider_message_id,
                         "b_pstatus": outcome.result.provider_status[:30]})
            continue
        error = outcome.error or SendFailed("unknown", "no result", retryable=True)
        row = {**base, "b_code": error.code, "b_reason": error.reason, "b_class": error.failure_class,
               "b_status": FAILED, "b_next": None}
        if error.retryable and outcome.claimed.attempt < MAX_ATTEMPTS:
            delay = retry_delay(outcome.claimed.attempt, rng)
            row.update(b_status=QUEUED, b_class=TEMPORARY, b_next=now + timedelta(seconds=delay))
            retries.append((outcome.claimed.id, delay))
        failed.append(row)
    if sent:
        session.execute(_RECORD_SENT, sent)
    if failed:
        session.execute(_RECORD_FAILURE, failed)
    return retries
