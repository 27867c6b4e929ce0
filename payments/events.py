"""The append-only payment event log."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from app.timeutil import utcnow
from payments.models import Payment, PaymentEvent

# Never stored in the log, whatever a provider sends.
SECRET_FIELDS = frozenset({"secret", "password", "pin", "otp", "token", "authorization", "signature"})


def scrub(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: ("[redacted]" if k.lower() in SECRET_FIELDS else v) for k, v in payload.items()}


# One Core INSERT: nothing reads an event back in the unit of work that logs it, and an ORM object
# (added, flushed) cost several times the statement (issue 15).
_EVENT_TABLE = cast(Any, PaymentEvent).__table__
_INSERT_EVENT = _EVENT_TABLE.insert()
# A provider event's id is unique per provider: the database skips a second delivery, even one arriving at the
# same moment (PostgreSQL waits for the first to commit), in the one statement that records the first.
_UNIQUE_EVENT_ID = ["provider", "provider_event_id"]
_INSERT_EVENT_ONCE = {  # RETURNING: the new row's id, or no row for a duplicate (a rowcount is not reliable here)
    "postgresql": postgresql.insert(_EVENT_TABLE).on_conflict_do_nothing(index_elements=_UNIQUE_EVENT_ID)
    .returning(_EVENT_TABLE.c.id),
    "sqlite": sqlite.insert(_EVENT_TABLE).on_conflict_do_nothing(index_elements=_UNIQUE_EVENT_ID)
    .returning(_EVENT_TABLE.c.id)}


def _row(payment: Payment | None, kind: str, payload: dict[str, Any], provider: str | None,
         provider_event_id: str | None) -> dict[str, Any]:
    return {"payment_id": payment.id if payment else None,
            "provider": provider or (payment.provider if payment else "unknown"), "kind": kind,
            "provider_event_id": provider_event_id, "payload": scrub(payload), "created_at": utcnow()}


def record_event(session: Session, payment: Payment | None, kind: str, payload: dict[str, Any],
                 provider: str | None = None, provider_event_id: str | None = None) -> None:
    """Log an event now (a duplicate `provider_event_id` raises IntegrityError at once, as a flush did)."""
    session.connection().execute(_INSERT_EVENT, _row(payment, kind, payload, provider, provider_event_id))


def record_provider_event_once(session: Session, payment: Payment | None, kind: str, payload: dict[str, Any],
                               provider: str, provider_event_id: str) -> bool:
    """Record a provider event unless its id was seen before; True when it is new."""
    connection = session.connection()
    inserted = connection.execute(_INSERT_EVENT_ONCE[connection.dialect.name],
                                  _row(payment, kind, payload, provider, provider_event_id))
    return inserted.first() is not None
