"""What draining the outbox costs (issue 15): the same few statements for a batch of any size."""

from __future__ import annotations

from sqlmodel import select

from app.notifications.jobs import drain_outbox
from app.notifications.models import Notification
from app.notifications.service import queue_notification
from app.queue import SMS, get_queue
from app.runtime import Runtime
from sms.models import OutboundMessage
from tests.support import count_statements


def _owe(runtime: Runtime, count: int, first: int) -> None:
    runtime.db.publish = None  # no kick on commit: the test drains by hand
    with runtime.db.transaction() as session:
        for i in range(count):
            queue_notification(session=session, kind="status_change", template="error.generic", params={},
                               msisdn=f"+9230022{first + i:05d}")


def test_draining_a_batch_costs_five_statements_and_two_round_trips_whatever_its_size(runtime: Runtime) -> None:
    publish = runtime.db.publish
    _owe(runtime, 1, 999)
    runtime.db.publish = publish
    drain_outbox()  # RQ asks the server's version once per client: not the steady state
    costs = {}
    for size, first in ((5, 0), (30, 100)):
        _owe(runtime, size, first)
        runtime.db.publish = publish
        with count_statements(runtime.db.engine) as counts:
            assert drain_outbox() == size
        costs[size] = counts
        # claim the batch (SELECT), one SAVEPOINT for the batch (and its RELEASE), every text in one
        # multi-row INSERT, every row's new status in one executemany; Redis: clear the kick, enqueue the
        # send jobs (one pipeline)
        assert (counts.sql, counts.redis) == (5, 2), str(counts)
    assert costs[30].statements == costs[5].statements
    assert get_queue(SMS, runtime.redis).count == 1 + 1 + 1  # 1, 5, then 30 texts: one job of up to 50 each
    with runtime.db.transaction() as session:
        assert {n.status for n in session.exec(select(Notification))} == {"dispatched"}
        assert len(session.exec(select(OutboundMessage)).all()) == 36


def test_a_failing_row_falls_back_to_one_savepoint_per_row_and_the_others_still_go(runtime: Runtime) -> None:
    publish = runtime.db.publish
    _owe(runtime, 3, 0)
    with runtime.db.transaction() as session:
        queue_notification(session=session, kind="status_change", template="error.generic", params={},
                           msisdn="+923002299999", channel="whatsapp")  # nobody delivers it: it fails
    runtime.db.publish = publish
    assert drain_outbox() == 3
    with runtime.db.transaction() as session:
        rows = {n.msisdn: (n.status, n.attempts) for n in session.exec(select(Notification))}
        texts = {t.id for t in session.exec(select(OutboundMessage))}
    assert rows.pop("+923002299999") == ("pending", 1)
    assert set(rows.values()) == {("dispatched", 1)}
    assert len(texts) == 3
    # only the texts that exist are sent: the first, rolled-back try left no send job behind
    [job] = get_queue(SMS, runtime.redis).get_jobs()
    assert set(job.args[0]) == texts
