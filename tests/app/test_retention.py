"""Retention (issue 14): message bodies are emptied after MESSAGE_BODY_RETENTION_DAYS, rows (and so the
counts analytics needs) are kept; the purge runs as a periodic job."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.notifications.models import Notification
from app.notifications.service import queue_notification
from app.retention import purge_expired
from app.runtime import Runtime
from app.scheduler import PERIODIC_JOBS
from app.timeutil import utcnow
from sms.models import OutboundMessage
from sms.service import send_sms
from tests.factories import make_citizen


def _age(session: Session, model: type, days: int) -> None:
    stamp = model.created_at  # type: ignore[attr-defined]
    session.execute(update(model).values(created_at=utcnow() - timedelta(days=days)).where(col(stamp).is_not(None)))


def test_old_bodies_are_emptied_and_rows_kept_new_ones_untouched(runtime: Runtime, session: Session) -> None:
    with runtime.db.transaction() as tx:
        citizen = make_citizen(tx, "+923001119999")
        queue_notification(session=tx, kind="bill_issued", template="notify.bill_issued", params={"bill": "X 1"},
                           citizen=citizen)
        send_sms(session=tx, to=citizen.msisdn, body="old reply", kind="reply")
    with runtime.db.transaction() as tx:
        _age(tx, Notification, 31)
        _age(tx, OutboundMessage, 31)
    with runtime.db.transaction() as tx:
        send_sms(session=tx, to="+923001119999", body="fresh reply", kind="reply")

    counts = purge_expired()

    assert counts == {"inbound": 0, "outbound": 1, "notifications": 1}
    session.rollback()
    bodies = sorted(m.body for m in session.exec(select(OutboundMessage)))
    assert bodies == ["", "fresh reply"]
    [note] = session.exec(select(Notification)).all()
    assert (note.body, note.params, note.kind) == ("", {}, "bill_issued")
    assert session.exec(select(func.count()).select_from(OutboundMessage)).one() == 2  # counts survive
    assert purge_expired() == {"inbound": 0, "outbound": 0, "notifications": 0}


def test_the_purge_is_a_periodic_job() -> None:
    assert any(job.func == "app.retention.purge_expired" for job in PERIODIC_JOBS)
