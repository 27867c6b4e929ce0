"""One opt-out rule: one writer (`set_sms_reminders`), one enforcement point (the outbox drain).

A citizen turns reminders off by SMS (STOP / BAND / بند) or in the app, and on again either way;
every channel reads the same preference, and reminders are skipped where notifications are
dispatched, whoever owed them. Receipts, codes and replies always go.
"""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from app.notifications.jobs import drain_outbox
from app.notifications.models import Notification
from app.notifications.service import queue_notification
from app.runtime import Runtime
from sms.jobs import send_bill_reminders
from sms.models import OutboundMessage
from tests.factories import make_bill
from tests.fixtures.api import sign_in
from tests.fixtures.channels import TextRabta

AYESHA = "+923001234567"


def _owe_reminder_and_receipt(runtime: Runtime) -> None:
    from app.citizens.service import get_by_msisdn

    with runtime.db.transaction() as session:
        citizen = get_by_msisdn(session=session, msisdn=AYESHA)
        make_bill(session, citizen=citizen, due_in_days=2)
        queue_notification(session=session, citizen=citizen, kind="payment_receipt", template="error.generic",
                           params={})
    assert send_bill_reminders() == 1
    drain_outbox()


def _statuses(session: Session) -> dict[str, str]:
    session.rollback()
    return {n.kind: n.status for n in session.exec(select(Notification).order_by(col(Notification.id)))}


def test_stop_by_sms_is_what_the_app_shows_and_reminders_are_skipped_but_receipts_go(
        client: FlaskClient, runtime: Runtime, session: Session, demo: None, text_rabta: TextRabta) -> None:
    text_rabta(AYESHA, "STOP")
    ayesha = sign_in(client, runtime, AYESHA)
    assert client.get("/api/v1/me", headers=ayesha.headers).json["notification_preferences"] == \
        {"sms_reminders": False}

    _owe_reminder_and_receipt(runtime)

    statuses = _statuses(session)
    assert (statuses["bill_reminder"], statuses["payment_receipt"]) == ("skipped", "dispatched")
    kinds = [m.kind for m in session.exec(select(OutboundMessage).where(OutboundMessage.to == AYESHA))]
    assert "bill_reminder" not in kinds and "payment_receipt" in kinds


def test_turning_reminders_off_in_the_app_and_on_by_sms_is_one_preference(
        client: FlaskClient, runtime: Runtime, session: Session, demo: None, text_rabta: TextRabta) -> None:
    ayesha = sign_in(client, runtime, AYESHA)
    off = client.patch("/api/v1/me", json={"notification_preferences": {"sms_reminders": False}},
                       headers=ayesha.headers)
    assert off.json["notification_preferences"] == {"sms_reminders": False}
    text_rabta(AYESHA, "shuru")  # START in Roman Urdu
    assert client.get("/api/v1/me", headers=ayesha.headers).json["notification_preferences"] == \
        {"sms_reminders": True}

    _owe_reminder_and_receipt(runtime)

    assert _statuses(session)["bill_reminder"] == "dispatched"
