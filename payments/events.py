"""The append-only payment event log."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from payments.models import Payment, PaymentEvent

# Never stored in the log, whatever a provider sends.
SECRET_FIELDS = frozenset({"secret", "password", "pin", "otp", "token", "authorization", "signature"})


def scrub(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: ("[redacted]" if k.lower() in SECRET_FIELDS else v) for k, v in payload.items()}


def record_event(session: Session, payment: Payment | None, kind: str, payload: dict[str, Any],
                 provider: str | None = None, provider_event_id: str | None = None) -> PaymentEvent:
    event = PaymentEvent(payment_id=payment.id if payment else None,
                         provider=provider or (payment.provider if payment else "unknown"), kind=kind,
                         provider_event_id=provider_event_id, payload=scrub(payload))
    session.add(event)
    session.flush()
    return event


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
