"""The notification outbox.

A domain change that owes a citizen a message calls `queue_notification` with the
same session it changes data in, so the row commits or rolls back with the change.
It records a `NotificationQueued` event; after commit the bus (wired in
`app.bootstrap`) enqueues a drain, and a periodic sweep drains anything a lost kick
left behind. The drain hands each row to the dispatcher of its channel.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from redis import Redis
from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, select

from app.bus import Event, record
from app.citizens.models import Citizen
from app.citizens.service import opted_out_of_reminders
from app.messages import clear_text, text
from app.messages.redaction import carries_code, redact
from app.notifications.models import (
    OUTBOX_DISPATCHED,
    OUTBOX_FAILED,
    OUTBOX_PENDING,
    OUTBOX_SKIPPED,
    Notification,
)
from app.timeutil import utcnow

log = logging.getLogger("rabta.notifications")

_TABLE = cast(Any, Notification).__table__
_INSERT_ONCE = {  # RETURNING the new row's id, or no row when the dedupe key was used before
    "postgresql": postgresql.insert(_TABLE).on_conflict_do_nothing(index_elements=["dedupe_key"])
    .returning(_TABLE.c.id),
    "sqlite": sqlite.insert(_TABLE).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(_TABLE.c.id)}

SMS_CHANNEL = "sms"
# Called inside the drain transaction with a batch of its channel's rows (one row when the drain retries
# row by row); raising fails them (the drain then retries them one by one and marks the bad ones failed).
Dispatcher = Callable[[Session, Sequence[Notification]], None]
# Channel name -> its dispatcher; built once by `app.bootstrap`.
Dispatchers = Mapping[str, Dispatcher]


@dataclass(frozen=True)
class NotificationQueued(Event):
    notification_id: int


def queue_notification(
    *, session: Session, kind: str, template: str, params: dict[str, Any],
    citizen: Citizen | None = None, msisdn: str | None = None, language: str | None = None,
    essential: bool = True, dedupe_key: str | None = None, channel: str = SMS_CHANNEL,
    redis: Redis | None = None,
) -> Notification | None:
    """Write an outbox row in the caller's transaction. With a `dedupe_key` seen
    before, nothing is written and None is returned (a notification is owed once).

    A kind that carries a one-time code (`redaction.carries_code`) is stored redacted, body and params,
    and its clear text goes to Redis only (`app.messages.clear_text`), so such a kind needs `redis`."""
    number = msisdn or (citizen.msisdn if citizen else None)
    if not number:
        raise ValueError("a notification needs a citizen or a number")
    lang = language or (citizen.language if citizen else "en")
    body = text(template, lang, **params)
    secret = carries_code(kind)
    if secret and redis is None:
        raise ValueError(f"a {kind} notification carries a code: pass redis for its clear text")
    stored = {key: redact(str(value), kind) if secret and isinstance(value, str) else value
              for key, value in params.items()}
    notification = Notification(
        citizen_id=citizen.id if citizen else None, msisdn=number, language=lang, kind=kind,
        essential=essential, body=redact(body, kind), params={"template": template, **stored},
        dedupe_key=dedupe_key, channel=channel,
    )
    if not _write(session, notification):
        return None
    if secret and redis is not None:
        clear_text.keep(redis, clear_text.for_notification(notification.id or 0), body)
    record(session, NotificationQueued(notification.id or 0))
    return notification


def _write(session: Session, notification: Notification) -> bool:
    """Insert the row; False when its dedupe key was used before. A dedupe key is unique, so one
    INSERT .. ON CONFLICT DO NOTHING both checks and writes (issue 15: it was a lookup, then the insert)."""
    if notification.dedupe_key is None:
        session.add(notification)
        session.flush()
        return True
    connection = session.connection()
    values = {column.key: getattr(notification, column.key) for column in _TABLE.columns if column.key != "id"}
    new_id = connection.execute(_INSERT_ONCE[connection.dialect.name], values).scalar()
    if new_id is None:
        return False
    notification.id = new_id
    make_transient_to_detached(notification)  # as if loaded: the session tracks it without another statement
    session.add(notification)
    return True


def pending_count(*, session: Session) -> int:
    query = select(func.count()).select_from(Notification).where(Notification.status == OUTBOX_PENDING)
    return int(session.exec(query).one())


def claim_pending(*, session: Session, limit: int = 100) -> list[Notification]:
    """Lock a batch of pending rows so concurrent drainers never take the same one."""
    query = (select(Notification).where(Notification.status == OUTBOX_PENDING)
             .order_by(Notification.id).limit(limit))  # type: ignore[arg-type]
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.exec(query))


def dispatch(*, session: Session, notification: Notification, dispatchers: Dispatchers) -> None:
    """Hand one outbox row to its channel's dispatcher (see `dispatch_many`)."""
    dispatch_many(session=session, notifications=[notification], dispatchers=dispatchers)


def dispatch_many(*, session: Session, notifications: Sequence[Notification], dispatchers: Dispatchers) -> None:
    """Hand outbox rows to their channels' dispatchers, one call per channel.

    This is the one place opt-out is enforced: a non-essential message (a reminder) to a
    citizen who opted out is skipped here, whatever the channel and whoever owed it."""
    by_channel: dict[str, list[Notification]] = {}
    for notification in notifications:
        notification.attempts += 1
        if not notification.essential and opted_out_of_reminders(session=session,
                                                                 citizen_id=notification.citizen_id):
            notification.status = OUTBOX_SKIPPED
            session.add(notification)
        else:
            by_channel.setdefault(notification.channel, []).append(notification)
    now = utcnow()
    for channel, owed in by_channel.items():
        dispatcher = dispatchers.get(channel)
        if dispatcher is None:
            raise LookupError(f"no dispatcher for channel {channel!r}")
        dispatcher(session, owed)
        for notification in owed:
            notification.status = OUTBOX_DISPATCHED
            notification.dispatched_at = now
            session.add(notification)


def mark_failed(*, session: Session, notification_id: int, error: str, max_attempts: int = 5) -> None:
    notification = session.get(Notification, notification_id)
    if notification is None:
        return
    notification.attempts += 1
    notification.last_error = error[:500]
    notification.status = OUTBOX_FAILED if notification.attempts >= max_attempts else OUTBOX_PENDING
    session.add(notification)
