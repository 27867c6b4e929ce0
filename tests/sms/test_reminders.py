"""Bill reminders three days before the due date: once per bill, respecting STOP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlmodel import Session, col, select

from app.notifications.models import Notification
from app.runtime import Runtime
from app.scheduler import PERIODIC_JOBS
from sms.jobs import send_bill_reminders
from tests.factories import local_day, make_bill, make_citizen
from tests.fixtures.sms import FakeTwilio
from tests.sms.conftest import outbound

RunJobs = Callable[[], None]


def reminders(session: Session) -> list[Notification]:
    session.rollback()
    query = select(Notification).where(Notification.kind == "bill_reminder").order_by(col(Notification.id))
    return list(session.exec(query))


def test_a_bill_due_in_three_days_is_reminded_once_by_sms(
        runtime: Runtime, session: Session, fake_twilio: FakeTwilio, run_jobs: RunJobs) -> None:
    with runtime.db.transaction() as tx:
        ayesha = make_citizen(tx, msisdn="+923001110001")
        bilal = make_citizen(tx, msisdn="+923001110002", language="ur")
        due_soon = make_bill(tx, citizen=ayesha, due_in_days=3)
        make_bill(tx, citizen=ayesha, due_in_days=10)
        urdu = make_bill(tx, citizen=bilal, due_date=local_day() + timedelta(days=2))
        make_bill(tx, citizen=None, due_in_days=3)  # nobody to remind

    assert send_bill_reminders() == 2
    assert send_bill_reminders() == 0  # the next hourly run owes nothing new
    run_jobs()

    notes = reminders(session)
    assert [n.params["psid"] for n in notes] == [due_soon.psid, urdu.psid]
    assert all(not n.essential for n in notes)
    english, in_urdu = outbound(session)
    assert english.kind == "bill_reminder" and f"PAY {due_soon.psid}" in english.body
    assert english.status == "sent" and english.encoding == "GSM-7"
    assert in_urdu.body.startswith("رابطہ") and in_urdu.encoding == "UCS-2"
    assert len(fake_twilio.requests) == 2


def test_the_reminder_job_is_scheduled_by_every_worker() -> None:
    assert "sms.jobs.send_bill_reminders" in {job.func for job in PERIODIC_JOBS}
    assert "sms.jobs.sweep_outbound" in {job.func for job in PERIODIC_JOBS}
