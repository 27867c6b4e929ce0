"""Outbound texts: the outbox becomes SMS sent through the real SDKs to the fake providers."""

from __future__ import annotations

import base64
import logging
import random
from collections.abc import Callable

import pytest
from sqlmodel import Session

from app.applications.service import transition
from app.notifications.service import queue_notification
from app.runtime import Runtime
from app.timeutil import utcnow
from sms.sending import RETRY_DELAYS_SECONDS, retry_delay
from sms.service import messages_for_citizen, send_sms
from sms.throttle import TokenBucket
from tests.factories import EVERYONE, make_citizen, make_request, make_service
from tests.fixtures.sms import FakeAfricasTalking, FakeTwilio, Reply
from tests.sms.conftest import (
    PUBLIC,
    TWILIO_FROM,
    TWILIO_SID,
    TWILIO_TOKEN,
    outbound,
    release_retries,
    scheduled_retry_count,
)

RunJobs = Callable[[], None]
# make_service's default codes contain digits, which tracking numbers do not allow: the tests name one.
NUMBER = "+923001110001"


def owe(runtime: Runtime, body: str = "Rabta: your application moved on.", to: str = NUMBER, kind: str = "test",
        citizen_id: int | None = None) -> int:
    with runtime.db.transaction() as session:
        return send_sms(session=session, to=to, body=body, kind=kind, citizen_id=citizen_id,
                        redis=runtime.redis).id or 0


def test_a_status_change_reaches_the_citizen_through_the_twilio_sdk(
        runtime: Runtime, session: Session, fake_twilio: FakeTwilio, run_jobs: RunJobs) -> None:
    with runtime.db.transaction() as tx:
        request = make_request(tx, citizen=make_citizen(tx, msisdn=NUMBER), service=make_service(tx, code="DOMX"))
        transition(viewer=EVERYONE, session=tx, tracking_number=request.tracking_number, to_status="under_review",
                   actor="officer")
    run_jobs()  # drain the outbox, then the send job it enqueued

    [sent] = fake_twilio.requests
    assert sent.path == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
    credentials = base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
    assert sent.headers["Authorization"] == f"Basic {credentials}"
    assert sent.headers["User-Agent"].startswith("twilio-python/")
    assert set(sent.form) == {"To", "From", "Body", "StatusCallback"}
    assert (sent.form["To"], sent.form["From"]) == (NUMBER, TWILIO_FROM)
    assert sent.form["StatusCallback"] == f"{PUBLIC}/sms/twilio/status"
    assert request.tracking_number in sent.form["Body"]
    [message] = outbound(session)
    assert (message.status, message.provider, message.kind, message.attempts) == ("sent", "twilio", "status_change", 1)
    assert message.provider_message_id and message.provider_message_id.startswith("SM")
    assert message.notification_id is not None and message.body == sent.form["Body"]


def test_africas_talking_gets_the_exact_request_its_sdk_makes(
        runtime: Runtime, session: Session, fake_at: FakeAfricasTalking, run_jobs: RunJobs) -> None:
    runtime.settings.SMS_PROVIDER = "africastalking"
    owe(runtime, body="Rabta: hello")
    run_jobs()

    [sent] = fake_at.requests
    assert sent.path == "/version1/messaging"
    assert sent.headers["apiKey"] == "at-api-key" and sent.headers["Accept"] == "application/json"
    assert sent.form == {"username": "rabta", "to": NUMBER, "message": "Rabta: hello", "bulkSMSMode": "1",
                         "from": "RABTA"}
    [message] = outbound(session)
    assert (message.status, message.provider) == ("sent", "africastalking")
    assert message.provider_message_id and message.provider_message_id.startswith("ATXid_")


def test_an_urdu_speakers_notification_goes_in_urdu_script_as_ucs2(
        runtime: Runtime, session: Session, fake_twilio: FakeTwilio, run_jobs: RunJobs) -> None:
    with runtime.db.transaction() as tx:
        request = make_request(tx, citizen=make_citizen(tx, msisdn=NUMBER, language="ur"),
                               service=make_service(tx, code="DOMX"))
        transition(viewer=EVERYONE, session=tx, tracking_number=request.tracking_number, to_status="under_review",
                   actor="officer")
    run_jobs()

    [message] = outbound(session)
    assert message.body.startswith("رابطہ") and message.encoding == "UCS-2"
    assert message.segments == (1 if len(message.body) <= 70 else -(-len(message.body) // 67))
    assert fake_twilio.requests[0].form["Body"] == message.body


def test_a_notification_drained_twice_is_sent_once(runtime: Runtime, session: Session, fake_twilio: FakeTwilio,
                                                   run_jobs: RunJobs) -> None:
    from app.notifications.service import dispatch
    from sms.service import dispatch_notification

    with runtime.db.transaction() as tx:
        note = queue_notification(session=tx, kind="otp", template="error.generic", params={}, msisdn=NUMBER,
                                  redis=runtime.redis)
        assert note is not None
        dispatch(session=tx, notification=note, dispatchers={"sms": dispatch_notification})
        dispatch(session=tx, notification=note, dispatchers={"sms": dispatch_notification})
    run_jobs()

    assert len(outbound(session)) == 1 and len(fake_twilio.requests) == 1


def test_a_permanent_failure_stops_at_once(runtime: Runtime, session: Session, fake_twilio: FakeTwilio,
                                           run_jobs: RunJobs) -> None:
    fake_twilio.plan(NUMBER, Reply(400, 21211, "The 'To' number is not a valid phone number."))
    owe(runtime)
    run_jobs()

    [message] = outbound(session)
    assert (message.status, message.failure_class, message.error_code) == ("failed", "permanent", "21211")
    assert message.error_reason and message.error_reason.endswith("The 'To' number is not a valid phone number.")
    assert len(fake_twilio.requests) == 1 and scheduled_retry_count(runtime) == 0


@pytest.mark.parametrize("reply", [Reply(503), Reply(429, 20429), Reply(400, 30003), Reply(500, 30008)])
def test_a_retryable_failure_waits_about_thirty_seconds_then_succeeds(
        runtime: Runtime, session: Session, fake_twilio: FakeTwilio, run_jobs: RunJobs, reply: Reply) -> None:
    fake_twilio.plan(NUMBER, reply)
    owe(runtime)
    before = utcnow()
    run_jobs()

    [message] = outbound(session)
    assert (message.status, message.failure_class, message.attempts) == ("queued", "temporary", 1)
    assert message.next_attempt_at is not None
    assert 24 <= (message.next_attempt_at - before).total_seconds() <= 37
    assert scheduled_retry_count(runtime) == 1

    release_retries(runtime)
    run_jobs()
    [message] = outbound(session)
    assert (message.status, message.attempts, message.error_code) == ("sent", 2, None)


def test_the_backoff_is_about_30_s_2_min_10_min_with_jitter() -> None:
    rng = random.Random(7)
    for attempt, base in enumerate(RETRY_DELAYS_SECONDS, start=1):
        delays = [retry_delay(attempt, rng) for _ in range(200)]
        assert all(base * 0.8 <= d <= base * 1.2 for d in delays)
        assert len({round(d, 3) for d in delays}) > 100  # jittered, not a thundering herd


def test_a_message_that_keeps_failing_is_failed_as_temporary_after_four_attempts(
        runtime: Runtime, session: Session, fake_twilio: FakeTwilio, run_jobs: RunJobs) -> None:
    fake_twilio.plan(NUMBER, *[Reply(503)] * 4)
    owe(runtime)
    run_jobs()
    for _ in range(3):
        assert release_retries(runtime) == 1
        run_jobs()

    [message] = outbound(session)
    assert (message.status, message.failure_class, message.attempts, message.error_code) == \
        ("failed", "temporary", 4, "http_503")
    assert len(fake_twilio.requests) == 4 and scheduled_retry_count(runtime) == 0


def test_when_twilio_keeps_failing_the_message_goes_out_through_africas_talking(
        runtime: Runtime, session: Session, fake_twilio: FakeTwilio, fake_at: FakeAfricasTalking,
        run_jobs: RunJobs) -> None:
    runtime.settings.SMS_FALLBACK_PROVIDER = "africastalking"
    fake_twilio.plan(NUMBER, Reply(503), Reply(400, 30003))
    owe(runtime)
    run_jobs()
    release_retries(runtime)
    run_jobs()
    release_retries(runtime)
    run_jobs()

    [message] = outbound(session)
    assert (message.status, message.provider, message.attempts) == ("sent", "africastalking", 3)
    assert len(fake_twilio.requests) == 2 and len(fake_at.requests) == 1


def test_africas_talking_recipient_codes_are_classified(
        runtime: Runtime, session: Session, fake_at: FakeAfricasTalking, run_jobs: RunJobs) -> None:
    runtime.settings.SMS_PROVIDER = "africastalking"
    fake_at.plan("+923001110002", Reply(201, 406))
    fake_at.plan("+923001110003", Reply(500))
    owe(runtime, to="+923001110002")
    owe(runtime, to="+923001110003")
    run_jobs()

    blacklisted, server_error = outbound(session)
    assert (blacklisted.status, blacklisted.failure_class, blacklisted.error_code) == ("failed", "permanent", "406")
    assert (server_error.status, server_error.failure_class, server_error.error_code) == \
        ("queued", "temporary", "http_500")


def test_the_console_provider_logs_without_codes(runtime: Runtime, session: Session, run_jobs: RunJobs,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    runtime.settings.SMS_PROVIDER = "console"
    owe(runtime, body="Your Rabta code is 482913", kind="otp")
    with caplog.at_level(logging.INFO, logger="rabta.sms.console"):
        run_jobs()

    [message] = outbound(session)
    assert (message.status, message.provider) == ("sent", "console")
    assert "******" in caplog.text and "482913" not in caplog.text


def test_look_alike_punctuation_is_sent_as_gsm7(runtime: Runtime, session: Session, fake_twilio: FakeTwilio,
                                                run_jobs: RunJobs) -> None:
    owe(runtime, body="Rabta: “Domicile” approved — collect it…")
    run_jobs()

    [message] = outbound(session)
    assert (message.body, message.encoding, message.segments) == \
        ('Rabta: "Domicile" approved - collect it...', "GSM-7", 1)
    assert fake_twilio.requests[0].form["Body"] == message.body


def test_messages_for_citizen_are_newest_first_and_page_backwards(runtime: Runtime, session: Session) -> None:
    with runtime.db.transaction() as tx:
        citizen_id = make_citizen(tx, msisdn=NUMBER).id
    ids = [owe(runtime, body=f"message {i}", citizen_id=citizen_id) for i in range(5)]
    owe(runtime, to="+923001110009", body="someone else")

    first = messages_for_citizen(session=session, citizen_id=citizen_id or 0, limit=3)
    rest = messages_for_citizen(session=session, citizen_id=citizen_id or 0, before_id=first[-1].id, limit=3)
    assert [m.id for m in first + rest] == ids[::-1]


def test_the_token_bucket_is_shared_and_refuses_more_than_the_rate(runtime: Runtime) -> None:
    one, other = TokenBucket(runtime.redis, "twilio", 5), TokenBucket(runtime.redis, "twilio", 5)

    assert one.take(4) == 4
    assert other.take(4) <= 1  # the second worker sees the same bucket
    assert TokenBucket(runtime.redis, "africastalking", 5).take(5) == 5  # per provider


def test_a_message_whose_kick_was_lost_is_sent_by_the_sweep(
        runtime: Runtime, session: Session, fake_twilio: FakeTwilio, run_jobs: RunJobs) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from sms.jobs import sweep_outbound
    from sms.models import OutboundMessage
    runtime.db.publish = None  # as if the process died between commit and enqueue
    with runtime.db.transaction() as tx:
        send_sms(session=tx, to=NUMBER, body="Rabta: hello", kind="test")
    runtime.db.publish = runtime.bus.publish
    run_jobs()
    assert sweep_outbound() == 0  # its own kick still has time to arrive
    with runtime.db.transaction() as tx:
        tx.execute(update(OutboundMessage).values(updated_at=utcnow() - timedelta(minutes=1)))

    assert sweep_outbound() == 1
    run_jobs()
    assert outbound(session)[0].status == "sent" and len(fake_twilio.requests) == 1


def test_a_worker_builds_its_sms_clients_before_its_first_job_and_sends_nothing(
        runtime: Runtime, fake_twilio: FakeTwilio, fake_at: FakeAfricasTalking) -> None:
    from app.worker import warm_up

    runtime.settings.SMS_FALLBACK_PROVIDER = "africastalking"
    twilio, africas_talking = runtime.sms.adapter("twilio"), runtime.sms.adapter("africastalking")
    assert "client" not in vars(twilio) and "service" not in vars(africas_talking), "built on first use"
    warm_up(runtime)
    assert "client" in vars(twilio) and "service" in vars(africas_talking)
    assert fake_twilio.requests == [] and fake_at.requests == []
