"""The append-only payment event log."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.timeutil import utcnow
from payments.models import Payment, PaymentEvent

# Never stored in the log, whatever a provider sends.
SECRET_FIELDS = frozenset({"secret", "password", "pin", "otp", "token", "authorization", "signature"})


def scrub(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: ("[redacted]" if k.lower() in SECRET_FIELDS else v) for k, v in payload.items()}


# One Core INSERT: nothing reads an event back in the unit of work that logs it, and an ORM object
# (added, flushed) cost several times the statement (issue 15).
_INSERT_EVENT = cast(Any, PaymentEvent).__table__.insert()


def record_event(session: Session, payment: Payment | None, kind: str, payload: dict[str, Any],
                 provider: str | None = None, provider_event_id: str | None = None) -> None:
    """Log an event now (a duplicate `provider_event_id` raises IntegrityError at once, as a flush did)."""
    session.connection().execute(_INSERT_EVENT, {
        "payment_id": payment.id if payment else None,
        "provider": provider or (payment.provider if payment else "unknown"), "kind": kind,
        "provider_event_id": provider_event_id, "payload": scrub(payload), "created_at": utcnow()})


def record_provider_event_once(session: Session, payment: Payment | None, kind: str, payload: dict[str, Any],
                               provider: str, provider_event_id: str) -> bool:
    """Record a provider event unless its id was seen before; True when it is new."""
    seen = select(PaymentEvent.id).where(PaymentEvent.provider == provider,
                                         PaymentEvent.provider_event_id == provider_event_id)
    if session.exec(seen).first() is not None:
        return False
    try:
        with session.begin_nested():
            record_event(session, payment, kind, payload, provider=provider, provider_event_id=provider_event_id)
    except IntegrityError:  # the same event delivered twice at once: the other delivery recorded it
        return False
    return True
