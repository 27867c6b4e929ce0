"""Small helpers shared by the payments tests."""

from __future__ import annotations

import base64
from typing import Any

from sqlmodel import Session, col, select

from app.notifications.models import Notification
from payments.models import Payment, PaymentEvent
from tests.factories import local_day
from tests.fixtures.payments import ONEBILL_PASSWORD, ONEBILL_USER

APPROVING_NUMBER = "+923001112223"


def scenario_number(code: int) -> str:
    """The payer number that picks sandbox scenario `code` (see sandbox_wallet/scenarios.py)."""
    return f"+92300123000{code}"


def basic_auth(user: str = ONEBILL_USER, password: str = ONEBILL_PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def fresh(session: Session, payment: Payment) -> Payment:
    session.rollback()  # end the read snapshot so we see what others committed
    found = session.get(Payment, payment.id)
    assert found is not None
    return found


def notifications(session: Session, kind: str | None = None) -> list[Notification]:
    session.rollback()  # end the read snapshot so we see what others committed
    query = select(Notification).order_by(col(Notification.id))
    if kind:
        query = query.where(Notification.kind == kind)
    return list(session.exec(query))


def events(session: Session, payment: Payment, kind: str | None = None) -> list[PaymentEvent]:
    session.rollback()  # end the read snapshot so we see what others committed
    query = select(PaymentEvent).where(PaymentEvent.payment_id == payment.id).order_by(col(PaymentEvent.id))
    if kind:
        query = query.where(PaymentEvent.kind == kind)
    return list(session.exec(query))


def payment_payload(psid: str, tran_auth_id: str, amount: int, **overrides: Any) -> dict[str, Any]:
    body = {"consumer_number": psid, "tran_auth_id": tran_auth_id, "transaction_amount": f"{amount:012d}",
            "tran_date": local_day().strftime("%Y%m%d"), "tran_time": "101500", "bank_mnemonic": "HBL"}
    body.update(overrides)
    return body
