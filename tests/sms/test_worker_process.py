"""A real `rabta worker` process drains the outbox and sends through the fake Twilio."""

from __future__ import annotations

import subprocess

from sqlmodel import Session

from app.notifications.service import queue_notification
from app.runtime import Runtime
from tests.factories import make_citizen
from tests.fixtures.payments import wait_until
from tests.fixtures.sms import FakeTwilio
from tests.sms.conftest import outbound


def test_a_worker_process_sends_every_owed_notification_once(
        runtime: Runtime, session: Session, fake_twilio: FakeTwilio,
        worker_process: subprocess.Popen[bytes]) -> None:
    with runtime.db.transaction() as tx:
        citizen = make_citizen(tx, msisdn="+923001110001")
        for i in range(120):
            queue_notification(session=tx, kind="status_change", template="sms.bills_more", params={"count": i},
                               citizen=citizen)

    wait_until(lambda: len(outbound(session)) == 120 and all(m.status == "sent" for m in outbound(session)))
    assert len(fake_twilio.requests) == 120
    assert sorted(r.form["Body"] for r in fake_twilio.requests) == sorted(m.body for m in outbound(session))
