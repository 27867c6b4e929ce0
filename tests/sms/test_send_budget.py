"""The fan-out's send job has a fixed cost per batch, whatever its size (issue 15): a regression shows here."""

from __future__ import annotations

from sqlmodel import col, select

from app.runtime import Runtime
from sms.jobs import send_messages
from sms.models import OutboundMessage
from sms.service import send_sms
from tests.fixtures.sms import FakeTwilio
from tests.support import count_statements


def _owe(runtime: Runtime, count: int, first: int) -> list[int]:
    with runtime.db.transaction() as session:
        return [send_sms(session=session, to=f"+9230011{first + i:05d}", body="Rabta: your application moved on.",
                         kind="status_change").id or 0 for i in range(count)]


def test_one_send_job_costs_three_statements_and_three_round_trips_for_any_batch(
        runtime: Runtime, fake_twilio: FakeTwilio) -> None:
    send_messages(_owe(runtime, 1, 0))  # loads the token bucket's script: not the steady state
    costs = []
    for size, first in ((5, 100), (40, 200)):
        ids = _owe(runtime, size, first)
        with count_statements(runtime.db.engine) as counts:
            assert send_messages(ids) == {"sent": size, "failed": 0}
        costs.append((counts.sql, counts.redis))
        # claim (UPDATE + SELECT), record every outcome (one executemany); the token bucket, the early
        # delivery reports (MGET); nothing per message
        assert (counts.sql, counts.redis) == (3, 2), str(counts)
    assert costs[0] == costs[1]
    with runtime.db.transaction() as session:
        statuses = session.exec(select(OutboundMessage.status).order_by(col(OutboundMessage.id))).all()
    assert statuses == ["sent"] * 46
    assert len(fake_twilio.requests) == 46


def test_a_job_for_messages_already_sent_costs_two_statements_and_sends_nothing(
        runtime: Runtime, fake_twilio: FakeTwilio) -> None:
    ids = _owe(runtime, 3, 0)
    send_messages(ids)
    with count_statements(runtime.db.engine) as counts:
        assert send_messages(ids) == {"sent": 0, "failed": 0}
    assert (counts.sql, counts.redis) == (2, 0), str(counts)
    assert len(fake_twilio.requests) == 3
