from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from app.citizens.service import register_citizen, set_sms_reminders
from app.notifications.jobs import KICK_KEY, drain_outbox
from app.notifications.models import Notification
from app.notifications.service import pending_count, queue_notification
from app.queue import NOTIFICATIONS, get_queue
from app.runtime import Runtime
from sms.models import OutboundMessage


def _owe_message(runtime: Runtime, essential: bool = True, opted_out: bool = False, **extra: str) -> None:
    with runtime.db.transaction() as s:
        citizen = register_citizen(session=s, msisdn="03001234567", name="Ayesha")
        set_sms_reminders(session=s, citizen=citizen, enabled=not opted_out)
        queue_notification(session=s, citizen=citizen, kind="reminder", template="error.generic", params={},
                           essential=essential, **extra)


def test_committing_a_notification_enqueues_one_drain_job(runtime: Runtime) -> None:
    _owe_message(runtime)
    queue = get_queue(NOTIFICATIONS, runtime.redis)
    assert queue.count == 1
    assert runtime.redis.get(KICK_KEY) == b"1"


def test_a_rolled_back_change_leaves_no_notification_and_no_job(runtime: Runtime) -> None:
    with pytest.raises(RuntimeError), runtime.db.transaction() as s:
        citizen = register_citizen(session=s, msisdn="03001234567")
        queue_notification(session=s, citizen=citizen, kind="x", template="error.generic", params={})
        raise RuntimeError("rolled back")
    with runtime.db.transaction() as s:
        assert s.exec(select(Notification)).all() == []
    assert get_queue(NOTIFICATIONS, runtime.redis).count == 0


def test_a_real_worker_drains_the_outbox_into_a_sent_sms(runtime: Runtime, run_jobs) -> None:  # type: ignore[no-untyped-def]
    _owe_message(runtime)
    run_jobs()
    with runtime.db.transaction() as s:
        notification = s.exec(select(Notification)).one()
        assert notification.status == "dispatched"
        assert pending_count(session=s) == 0
        message = s.exec(select(OutboundMessage)).one()
    assert message.notification_id == notification.id
    assert message.body == notification.body and message.to == "+923001234567"
    assert message.status == "sent" and message.provider == "console"


def test_draining_twice_sends_each_notification_once(runtime: Runtime, run_jobs) -> None:  # type: ignore[no-untyped-def]
    _owe_message(runtime)
    assert drain_outbox() == 1
    assert drain_outbox() == 0
    run_jobs()
    with runtime.db.transaction() as s:
        assert len(s.exec(select(OutboundMessage)).all()) == 1


def test_a_notification_for_a_channel_nobody_delivers_stays_owed_and_is_not_lost(runtime: Runtime) -> None:
    _owe_message(runtime, channel="whatsapp")
    assert drain_outbox() == 0
    with runtime.db.transaction() as s:
        row = s.exec(select(Notification)).one()
        assert (row.status, row.attempts) == ("pending", 1)
        assert "no dispatcher for channel 'whatsapp'" in (row.last_error or "")
        assert s.exec(select(OutboundMessage)).all() == []


def test_non_essential_messages_are_skipped_for_citizens_who_opted_out(runtime: Runtime) -> None:
    _owe_message(runtime, essential=False, opted_out=True)
    drain_outbox()
    with runtime.db.transaction() as s:
        assert s.exec(select(Notification)).one().status == "skipped"


def test_a_dedupe_key_means_the_message_is_owed_once(runtime: Runtime) -> None:
    _owe_message(runtime, dedupe_key="reminder:bill:1")
    with runtime.db.transaction() as s:
        citizen = s.exec(select(Notification)).one()
        again = queue_notification(session=s, msisdn=citizen.msisdn, kind="reminder", template="error.generic",
                                   params={}, dedupe_key="reminder:bill:1")
    assert again is None
    with runtime.db.transaction() as s:
        assert len(s.exec(select(Notification)).all()) == 1


def test_a_message_owed_by_two_transactions_at_once_is_written_once_without_an_error(runtime: Runtime) -> None:
    barrier, outcomes = threading.Barrier(2), []

    def owe() -> None:
        barrier.wait()
        with runtime.db.transaction() as s:
            row = queue_notification(session=s, msisdn="+923001234567", kind="reminder", template="error.generic",
                                     params={}, dedupe_key="reminder:bill:2")
            outcomes.append(row.id if row is not None else None)

    threads = [threading.Thread(target=owe) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with runtime.db.transaction() as s:
        written = s.exec(select(Notification)).one()
    assert sorted(outcomes, key=str) == sorted([written.id, None], key=str)
    assert written.dedupe_key == "reminder:bill:2" and written.status == "pending"
