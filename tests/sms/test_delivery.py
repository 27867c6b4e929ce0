"""Delivery reports: signed/tokened, normalised, forward-only, idempotent, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session
from werkzeug.test import TestResponse

from app.runtime import Runtime
from app.timeutil import utcnow
from sms.jobs import expire_buffered
from sms.models import OutboundMessage
from sms.service import send_sms
from tests.fixtures.sms import FakeAfricasTalking, FakeTwilio, Reply
from tests.sms.conftest import PostTwilio, outbound, release_retries, scheduled_retry_count

RunJobs = Callable[[], None]
PostAT = Callable[..., TestResponse]
NUMBER = "+923001110001"
STATUS_PATH, AT_PATH = "/sms/twilio/status", "/sms/africastalking/delivery"


def sent_message(runtime: Runtime, run_jobs: RunJobs, session: Session) -> OutboundMessage:
    with runtime.db.transaction() as tx:
        send_sms(session=tx, to=NUMBER, body="Rabta: hello", kind="test")
    run_jobs()
    [message] = outbound(session)
    assert message.status == "sent"
    return message


def twilio_status(sid: str, status: str, error_code: str | None = None) -> dict[str, str]:
    form = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32, "To": NUMBER}
    if error_code:
        form["ErrorCode"] = error_code
    return form


@pytest.mark.parametrize(("sequence", "final"), [
    (["sent", "delivered"], "delivered"),
    (["delivered", "sent"], "delivered"),  # out of order
    (["sent", "delivered", "delivered", "sent", "queued"], "delivered"),  # repeated
    (["sending", "sent", "undelivered", "delivered"], "undelivered"),  # the outcome is final
    (["failed", "sent", "delivered"], "failed"),
])
def test_twilio_reports_never_move_a_message_backwards(
        runtime: Runtime, session: Session, fake_twilio: FakeTwilio, run_jobs: RunJobs, post_twilio: PostTwilio,
        sequence: list[str], final: str) -> None:
    message = sent_message(runtime, run_jobs, session)
    for status in sequence:
        assert post_twilio(STATUS_PATH, twilio_status(message.provider_message_id or "", status)).status_code == 200

    [message] = outbound(session)
    assert message.status == final
    assert (message.delivered_at is not None) == (final == "delivered")


def test_a_permanent_undelivered_report_keeps_the_providers_code(
        runtime: Runtime, session: Session, fake_twilio: FakeTwilio, run_jobs: RunJobs,
        post_twilio: PostTwilio) -> None:
    message = sent_message(runtime, run_jobs, session)
    post_twilio(STATUS_PATH, twilio_status(message.provider_message_id or "", "undelivered", "30006"))

    [message] = outbound(session)
    assert (message.status, message.error_code, message.failure_class) == ("undelivered", "30006", "permanent")
    assert scheduled_retry_count(runtime) == 0


def test_an_unreachable_handset_is_tried_again_and_the_old_attempts_reports_change_nothing(
        runtime: Runtime, session: Session, fake_twilio: FakeTwilio, run_jobs: RunJobs,
        post_twilio: PostTwilio) -> None:
    message = sent_message(runtime, run_jobs, session)
    old_sid = message.provider_message_id or ""
    post_twilio(STATUS_PATH, twilio_status(old_sid, "undelivered", "30003"))

    [message] = outbound(session)
    assert (message.status, message.error_code, message.failure_class) == ("queued", "30003", "temporary")
    assert scheduled_retry_count(runtime) == 1
    release_retries(runtime)
    run_jobs()
    post_twilio(STATUS_PATH, twilio_status(old_sid, "failed", "30003"))  # late news about attempt 1

    [message] = outbound(session)
    assert (message.status, message.attempts) == ("sent", 2)
    assert message.provider_message_id != old_sid and len(fake_twilio.requests) == 2


def test_a_report_for_a_message_we_never_sent_is_acknowledged_and_changes_nothing(
        runtime: Runtime, session: Session, fake_twilio: FakeTwilio, run_jobs: RunJobs,
        post_twilio: PostTwilio) -> None:
    message = sent_message(runtime, run_jobs, session)
    response = post_twilio(STATUS_PATH, twilio_status("SM" + "f" * 32, "delivered"))

    assert response.status_code == 200
    assert outbound(session)[0].status == message.status == "sent"


def test_a_report_that_beats_our_own_record_of_the_send_is_applied_afterwards(
        runtime: Runtime, session: Session, fake_twilio: FakeTwilio, run_jobs: RunJobs,
        post_twilio: PostTwilio) -> None:
    sid = "SM" + "e" * 32
    fake_twilio.plan(NUMBER, Reply(201, message_id=sid))
    with runtime.db.transaction() as tx:
        send_sms(session=tx, to=NUMBER, body="Rabta: hello", kind="test")
    assert post_twilio(STATUS_PATH, twilio_status(sid, "delivered")).status_code == 200
    run_jobs()

    assert outbound(session)[0].status == "delivered"


@pytest.mark.parametrize("fields", [{}, {"MessageSid": True}, {"MessageStatus": "delivered"}])
def test_a_malformed_twilio_report_is_a_client_error_and_changes_nothing(
        runtime: Runtime, session: Session, fake_twilio: FakeTwilio, run_jobs: RunJobs, post_twilio: PostTwilio,
        fields: dict[str, object]) -> None:
    message = sent_message(runtime, run_jobs, session)
    form = {key: (message.provider_message_id or "" if value is True else str(value)) for key, value in fields.items()}
    response = post_twilio(STATUS_PATH, form)
    assert response.status_code == 400 and "are required" in response.get_data(as_text=True)
    assert outbound(session)[0].status == "sent"


def test_an_unknown_twilio_status_word_is_acknowledged_and_changes_nothing(
        runtime: Runtime, session: Session, fake_twilio: FakeTwilio, run_jobs: RunJobs,
        post_twilio: PostTwilio) -> None:
    message = sent_message(runtime, run_jobs, session)
    response = post_twilio(STATUS_PATH, twilio_status(message.provider_message_id or "", "teleported"))
    assert (response.status_code, response.get_data(as_text=True)) == (200, "OK")
    assert (outbound(session)[0].status, outbound(session)[0].provider_status) == ("sent", message.provider_status)


def test_an_unsigned_twilio_report_is_refused(runtime: Runtime, session: Session, fake_twilio: FakeTwilio,
                                              run_jobs: RunJobs, post_twilio: PostTwilio) -> None:
    message = sent_message(runtime, run_jobs, session)
    response = post_twilio(STATUS_PATH, twilio_status(message.provider_message_id or "", "delivered"), signature="x")

    assert response.status_code == 403
    assert outbound(session)[0].status == "sent"


@pytest.fixture
def at_message(runtime: Runtime, session: Session, fake_at: FakeAfricasTalking,
               run_jobs: RunJobs) -> OutboundMessage:
    runtime.settings.SMS_PROVIDER = "africastalking"
    return sent_message(runtime, run_jobs, session)


def at_report(message_id: str, status: str, reason: str | None = None) -> dict[str, str]:
    form = {"id": message_id, "status": status, "phoneNumber": NUMBER, "networkCode": "41001", "retryCount": "0"}
    if reason:
        form["failureReason"] = reason
    return form


@pytest.mark.parametrize(("sequence", "final", "error"), [
    (["Sent", "Submitted", "Success"], "delivered", None),
    (["Success", "Sent", "Success"], "delivered", None),
    (["Buffered", "Failed"], "undelivered", "UserIsInactive"),
    (["Rejected", "Success"], "failed", "UserInBlackList"),
])
def test_africas_talking_reports_map_to_the_canonical_status(
        post_at: PostAT, session: Session, at_message: OutboundMessage, sequence: list[str], final: str,
        error: str | None) -> None:
    for status in sequence:
        form = at_report(at_message.provider_message_id or "", status, error if status in ("Failed", "Rejected")
                         else None)
        assert post_at(AT_PATH, form).status_code == 200

    [message] = outbound(session)
    assert (message.status, message.error_code) == (final, error)
    assert message.failure_class == (None if final == "delivered" else "permanent")


@pytest.mark.parametrize("token", [None, "wrong"])
def test_an_africas_talking_report_without_the_token_is_refused(
        post_at: PostAT, session: Session, at_message: OutboundMessage, token: str | None) -> None:
    response = post_at(AT_PATH, at_report(at_message.provider_message_id or "", "Success"), token=token)

    assert response.status_code == 403
    assert outbound(session)[0].status == "sent"


@pytest.mark.parametrize("fields", [{}, {"id": True}, {"status": "Success"}])
def test_a_malformed_africas_talking_report_is_a_client_error_and_changes_nothing(
        post_at: PostAT, session: Session, at_message: OutboundMessage, fields: dict[str, object]) -> None:
    form = {key: (at_message.provider_message_id or "" if value is True else str(value))
            for key, value in fields.items()}
    response = post_at(AT_PATH, form)
    assert response.status_code == 400 and "are required" in response.get_data(as_text=True)
    assert outbound(session)[0].status == at_message.status


def test_a_message_buffered_too_long_is_sent_again(
        runtime: Runtime, post_at: PostAT, session: Session, at_message: OutboundMessage,
        fake_at: FakeAfricasTalking, run_jobs: RunJobs) -> None:
    post_at(AT_PATH, at_report(at_message.provider_message_id or "", "Buffered"))
    assert expire_buffered() == 0  # not stale yet
    with runtime.db.transaction() as tx:
        tx.execute(update(OutboundMessage).values(updated_at=utcnow() - timedelta(hours=1)))

    assert expire_buffered() == 1
    [message] = outbound(session)
    assert (message.status, message.error_code) == ("queued", "buffered_timeout")
    release_retries(runtime)
    run_jobs()
    [message] = outbound(session)
    assert (message.status, message.attempts, message.provider_status) == ("sent", 2, "Success")
    assert len(fake_at.requests) == 2
