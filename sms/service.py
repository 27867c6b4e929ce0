"""The SMS service: owe a number a text, list what was sent.

`send_sms` (a reply) and `dispatch_notification` (the outbox's SMS dispatcher) write the
outbound row in the caller's transaction and record an `SmsQueued` event; after commit
the bus (wired in `app.bootstrap`) enqueues the send jobs in batches, so a rollback never
leaves a text sent for a change that did not happen. Opt-out is enforced before this, in
the outbox drain (`app.notifications.service.dispatch`): replies always go.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from redis import Redis
from sqlalchemy import bindparam
from sqlalchemy import select as columns_of
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select, update

from app.bus import Event, record
from app.citizens.identity import normalise_msisdn
from app.errors import InvalidPhoneNumber
from app.messages import clear_text
from app.messages.gsm7 import SegmentInfo, count_segments, normalise_look_alikes
from app.messages.redaction import carries_code, redact
from app.notifications.models import Notification
from app.timeutil import utcnow
from sms.models import QUEUED, SENT, InboundMessage, OutboundMessage
from sms.providers.base import InboundText

MAX_BODY = 2000
MAX_INBOUND_BODY = 1600
_table: Any = OutboundMessage.__table__  # type: ignore[attr-defined]
# Built once: the values travel as parameters, so the compiled statement is reused per batch.
_INSERT_ONCE = {
    postgres: (insert(_table).on_conflict_do_nothing(index_elements=["notification_id"]).returning(_table.c.id))
    for postgres, insert in ((False, sqlite_insert), (True, postgresql_insert))
}
_INSERT_REPLY = _table.insert()
_inbound: Any = InboundMessage.__table__  # type: ignore[attr-defined]
_INBOUND_ONCE = {
    postgres: (insert(_inbound).on_conflict_do_nothing(index_elements=["provider", "provider_message_id"])
               .returning(_inbound.c.id))
    for postgres, insert in ((False, sqlite_insert), (True, postgresql_insert))
}


@lru_cache(maxsize=4)
def _inbound_and_reply(text_columns: tuple[str, ...], reply_columns: tuple[str, ...]) -> Any:
    """PostgreSQL: the text's INSERT ... ON CONFLICT DO NOTHING RETURNING id as a data-modifying WITH, and
    the reply's INSERT selecting that id (no id, a duplicate: no reply either). Built once, for the columns
    `_inbound_values` and `_reply_values` write; parameters are prefixed `text_` and `reply_`."""
    def params(table: Any, prefix: str, columns: tuple[str, ...]) -> list[Any]:
        return [bindparam(f"{prefix}{name}", type_=table.c[name].type) for name in columns]

    text = (postgresql_insert(_inbound).values(dict(zip(text_columns, params(_inbound, "text_", text_columns),
                                                        strict=True)))
            .on_conflict_do_nothing(index_elements=["provider", "provider_message_id"])
            .returning(_inbound.c.id).cte("text"))
    reply = columns_of(*params(_table, "reply_", reply_columns), text.c.id)
    return _table.insert().from_select([*reply_columns, "in_reply_to"], reply).returning(_table.c.in_reply_to)


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


@dataclass(frozen=True)
class SmsQueued(Event):
    """An outbound text is owed: its send job is due."""

    message_id: int


def send_sms(*, session: Session, to: str, body: str, kind: str, citizen_id: int | None = None,
             in_reply_to: int | None = None, redis: Redis | None = None) -> OutboundMessage:
    """Owe `to` a reply (an essential text: it goes whatever the citizen's reminder preference).
    A kind that carries a code is stored redacted; its clear text waits in Redis (so pass `redis`)."""
    text, info = _prepared(body)
    secret = carries_code(kind)
    if secret and redis is None:
        raise ValueError(f"a {kind} text carries a code: pass redis for its clear text")
    message = OutboundMessage(to=e164(to), body=redact(text, kind), kind=kind[:40], citizen_id=citizen_id,
                              essential=True, in_reply_to=in_reply_to, segments=info.segments,
                              encoding=info.encoding)
    session.add(message)
    session.flush()
    if secret and redis is not None:
        clear_text.keep(redis, clear_text.for_message(message.id or 0), text)
    record(session, SmsQueued(message.id or 0))
    return message


def record_reply(*, session: Session, to: str, body: str, provider: str, citizen_id: int | None,
                 in_reply_to: int | None, kind: str = "reply") -> None:
    """A reply that went back inside the webhook response (TwiML): kept for history, nothing to send.
    `to` is the sender's number as we recorded it (a short code stays a short code). `kind` is what the
    reply is (a PAY code is kept redacted: its clear text only ever travelled in the response).
    One Core INSERT: nothing reads the row back in this unit of work, so no ORM object is built."""
    session.execute(_INSERT_REPLY, {**_reply_values(to, body, provider, citizen_id, kind),
                                    "in_reply_to": in_reply_to})


def _reply_values(to: str, body: str, provider: str, citizen_id: int | None, kind: str) -> dict[str, Any]:
    text, info = _prepared(body)
    now = utcnow()
    return {"to": to[:20], "body": redact(text, kind), "kind": "reply", "citizen_id": citizen_id, "status": SENT,
            "provider": provider, "provider_status": "twiml", "segments": info.segments, "encoding": info.encoding,
            "essential": True, "attempts": 0, "sent_at": now, "created_at": now, "updated_at": now}


def dispatch_notification(session: Session, notifications: Sequence[Notification]) -> None:
    """The outbox dispatcher: each owed notification becomes one outbound SMS (same transaction).

    The drain hands over a batch at a time (thousands of rows per minute in a fan-out), so they are
    written with one multi-row INSERT ... ON CONFLICT DO NOTHING ... RETURNING instead of ORM objects:
    the unique notification_id makes a re-drained row a no-op. Opt-out was already applied by the
    drain (`app.notifications.service.dispatch_many`), the one place it is enforced."""
    now = utcnow()
    rows = []
    for notification in notifications:
        text, info = _prepared(notification.body)
        rows.append({"to": e164(notification.msisdn), "body": text, "kind": notification.kind[:40],
                     "status": QUEUED, "segments": info.segments, "encoding": info.encoding,
                     "citizen_id": notification.citizen_id, "essential": notification.essential,
                     "notification_id": notification.id, "attempts": 0, "created_at": now, "updated_at": now})
    if not rows:
        return
    statement = _INSERT_ONCE[session.get_bind().dialect.name == "postgresql"]
    for message_id in sorted(int(i) for i in session.execute(statement, rows).scalars()):
        record(session, SmsQueued(message_id))


def messages_for_citizen(*, session: Session, citizen_id: int, before_id: int | None = None,
                         limit: int = 50) -> list[OutboundMessage]:
    """The texts sent to a citizen, newest first; page with `before_id`."""
    query = select(OutboundMessage).where(OutboundMessage.citizen_id == citizen_id)
    if before_id is not None:
        query = query.where(col(OutboundMessage.id) < before_id)
    query = query.order_by(col(OutboundMessage.id).desc()).limit(max(1, min(limit, 200)))
    return list(session.exec(query))


def record_inbound(*, session: Session, inbound: InboundText, msisdn: str, command: str = "",
                   citizen_id: int | None = None) -> int | None:
    """Record the text once; its row id, or None when this provider message id was recorded before
    (providers retry). One INSERT ... ON CONFLICT DO NOTHING: a concurrent duplicate loses here too."""
    statement = _INBOUND_ONCE[session.get_bind().dialect.name == "postgresql"]
    inbound_id = session.execute(statement, _inbound_values(inbound, msisdn, command, citizen_id)).scalar()
    return int(inbound_id) if inbound_id is not None else None


def record_inbound_and_reply(*, session: Session, inbound: InboundText, msisdn: str, command: str,
                             citizen_id: int | None, reply: str, kind: str) -> int | None:
    """`record_inbound`, then `record_reply` to it (a text answered before it was recorded, inside the
    webhook response): the text's id, or None, writing nothing, when it was recorded before. On
    PostgreSQL one statement does both (two round trips fewer per inbound question)."""
    if session.get_bind().dialect.name != "postgresql":
        inbound_id = record_inbound(session=session, inbound=inbound, msisdn=msisdn, command=command,
                                    citizen_id=citizen_id)
        if inbound_id is not None:
            record_reply(session=session, to=msisdn, body=reply, provider=inbound.provider, citizen_id=citizen_id,
                         in_reply_to=inbound_id, kind=kind)
        return inbound_id
    text = _inbound_values(inbound, msisdn, command, citizen_id)
    answer = _reply_values(msisdn, reply, inbound.provider, citizen_id, kind)
    statement = _inbound_and_reply(tuple(text), tuple(answer))
    params = {**{f"text_{key}": value for key, value in text.items()},
              **{f"reply_{key}": value for key, value in answer.items()}}
    inbound_id = session.connection().execute(statement, params).scalar()
    return int(inbound_id) if inbound_id is not None else None


def _inbound_values(inbound: InboundText, msisdn: str, command: str, citizen_id: int | None) -> dict[str, Any]:
    return {"provider": inbound.provider, "provider_message_id": inbound.provider_message_id[:80],
            "msisdn": msisdn, "to_number": (inbound.to or "")[:20], "body": inbound.body[:MAX_INBOUND_BODY],
            "link_id": (inbound.link_id or None) and inbound.link_id[:80], "command": command[:16],
            "citizen_id": citizen_id, "received_at": utcnow()}


def set_inbound_command(*, session: Session, inbound_id: int, command: str, citizen_id: int | None) -> None:
    """What a text turned out to be, once answered (a command that writes is answered after it is recorded)."""
    session.execute(update(InboundMessage).where(col(InboundMessage.id) == inbound_id)
                    .values(command=command[:16], citizen_id=citizen_id))


def inbound_command(*, session: Session, provider: str, provider_message_id: str) -> str | None:
    """The command understood in an inbound text, by the provider's message id (None: not recorded)."""
    return session.exec(select(InboundMessage.command).where(
        InboundMessage.provider == provider, InboundMessage.provider_message_id == provider_message_id)).first()
