"""The SMS service: owe a citizen a text, list what was sent, honour opt-outs.

`send_sms` writes the outbound row in the caller's transaction; after commit the
session's send hook (installed by `sms.routes.register`) enqueues the send job, so
a rollback never leaves a text sent for a change that did not happen.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app.citizens.identity import normalise_msisdn
from app.citizens.models import Citizen
from app.citizens.service import opted_out_of_reminders
from app.db import after_commit
from app.errors import InvalidPhoneNumber
from app.notifications.models import Notification
from app.timeutil import utcnow
from sms.encoding import SegmentInfo, count_segments, normalise_look_alikes
from sms.models import FAILED, PERMANENT, QUEUED, SENT, OutboundMessage

# session.info keys: the enqueuer installed by register(app), and this transaction's new message ids.
SEND_HOOK_KEY = "rabta_sms_send"
_PENDING_KEY = "rabta_sms_pending"
_FLUSH_KEY = "rabta_sms_flush"
MAX_BODY = 2000
SendEnqueuer = Callable[[list[int]], None]
_table: Any = OutboundMessage.__table__  # type: ignore[attr-defined]
# Built once: the values travel as parameters, so the compiled statement is reused per row.
_INSERT_ONCE = {
    postgres: (insert(_table).on_conflict_do_nothing(index_elements=["notification_id"]).returning(_table.c.id))
    for postgres, insert in ((False, sqlite_insert), (True, postgresql_insert))
}


_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


def e164(number: str, region: str = "PK") -> str:
    """The E.164 form of `number`; foreign and odd numbers a provider accepted are kept as sent."""
    if _E164.match(number or ""):  # already normalised (citizen records are): skip the costly parse
        return number
    try:
        return normalise_msisdn(number, region)
    except InvalidPhoneNumber:
        cleaned = "".join(ch for ch in (number or "") if ch.isdigit() or ch == "+")[:20]
        if len(cleaned.lstrip("+")) < 6:
            raise
        return cleaned


def _prepared(body: str) -> tuple[str, SegmentInfo]:
    """What we store and send: look-alikes folded to GSM-7, capped, with its segment count."""
    text = normalise_look_alikes(body)[:MAX_BODY]
    return text, count_segments(text)


def send_sms(
    *, session: Session, to: str, body: str, kind: str, citizen_id: int | None = None,
    essential: bool = True, notification_id: int | None = None, in_reply_to: int | None = None,
) -> OutboundMessage:
    """Owe `to` a text. Non-essential texts to a citizen who sent STOP are recorded as failed, never sent."""
    text, info = _prepared(body)
    message = OutboundMessage(to=e164(to), body=text, kind=kind[:40], citizen_id=citizen_id, essential=essential,
                              notification_id=notification_id, in_reply_to=in_reply_to,
                              segments=info.segments, encoding=info.encoding)
    if not essential and opted_out_of_reminders(session=session, citizen_id=citizen_id):
        message.status, message.error_code, message.failure_class = FAILED, "opted_out", PERMANENT
        message.error_reason = "The citizen sent STOP; only essential texts go out."
    session.add(message)
    session.flush()
    if message.status == QUEUED:
        schedule_send(session, message.id or 0)
    return message


def record_reply(*, session: Session, to: str, body: str, provider: str, citizen_id: int | None,
                 in_reply_to: int | None) -> OutboundMessage:
    """A reply that went back inside the webhook response (TwiML): kept for history, nothing to send.
    `to` is the sender's number as we recorded it (a short code stays a short code)."""
    text, info = _prepared(body)
    message = OutboundMessage(to=to[:20], body=text, kind="reply", citizen_id=citizen_id, status=SENT,
                              provider=provider, provider_status="twiml", in_reply_to=in_reply_to,
                              segments=info.segments, encoding=info.encoding, sent_at=utcnow())
    session.add(message)
    return message


def schedule_send(session: Session, message_id: int) -> None:
    """Collect ids in this transaction; one after-commit hook enqueues them in batches."""
    enqueue: SendEnqueuer | None = session.info.get(SEND_HOOK_KEY)
    if enqueue is None:  # no runtime (a script): the periodic sweep sends it
        return
    session.info.setdefault(_PENDING_KEY, []).append(message_id)
    flush = session.info.get(_FLUSH_KEY)
    if flush is None:
        def flush() -> None:
            ids = session.info.pop(_PENDING_KEY, [])
            if ids:
                enqueue(ids)

        session.info[_FLUSH_KEY] = flush
    after_commit(session, flush)


def dispatch_notification(session: Session, notification: Notification) -> None:
    """The outbox dispatcher: an owed notification becomes one outbound SMS (same transaction).

    This runs once per notification inside the drain (thousands per minute in a fan-out), so it
    writes with one INSERT ... ON CONFLICT DO NOTHING ... RETURNING instead of an ORM object:
    the unique notification_id makes a re-drained row a no-op. Opt-out was already applied by
    the drain (`app.notifications.service.dispatch`)."""
    text, info = _prepared(notification.body)
    now = utcnow()
    values = {"to": e164(notification.msisdn), "body": text, "kind": notification.kind[:40], "status": QUEUED,
              "segments": info.segments, "encoding": info.encoding, "citizen_id": notification.citizen_id,
              "essential": notification.essential, "notification_id": notification.id, "attempts": 0,
              "created_at": now, "updated_at": now}
    statement = _INSERT_ONCE[session.get_bind().dialect.name == "postgresql"]
    message_id = session.execute(statement, values).scalar()
    if message_id is not None:
        schedule_send(session, int(message_id))


def messages_for_citizen(*, session: Session, citizen_id: int, before_id: int | None = None,
                         limit: int = 50) -> list[OutboundMessage]:
    """The texts sent to a citizen, newest first; page with `before_id`."""
    query = select(OutboundMessage).where(OutboundMessage.citizen_id == citizen_id)
    if before_id is not None:
        query = query.where(col(OutboundMessage.id) < before_id)
    query = query.order_by(col(OutboundMessage.id).desc()).limit(max(1, min(limit, 200)))
    return list(session.exec(query))


def set_opt_out(*, session: Session, citizen: Citizen, opted_out: bool) -> Citizen:
    """STOP / START: only non-essential texts (reminders) are affected."""
    citizen.sms_opt_out = opted_out
    citizen.updated_at = utcnow()
    session.add(citizen)
    return citizen


