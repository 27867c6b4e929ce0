"""SMS tests run with both providers configured against local fake servers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, col, select
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

from app.runtime import Runtime
from app.settings import Settings
from sms.models import OutboundMessage
from tests.fixtures.sms import FakeAfricasTalking, FakeTwilio

TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "twilio-test-auth-token"
TWILIO_FROM = "+15005550006"
AT_TOKEN = "at-webhook-token"
PUBLIC = "https://rabta.example.org"


def sms_overrides(fake_twilio: FakeTwilio, fake_at: FakeAfricasTalking) -> dict[str, Any]:
    return {
        "PUBLIC_BASE_URL": PUBLIC, "SMS_PROVIDER": "twilio", "SMS_FALLBACK_PROVIDER": None,
        "SMS_RATE_PER_SECOND": 1000.0, "SMS_INBOUND_LIMIT_PER_HOUR": 30,
        "TWILIO_ACCOUNT_SID": TWILIO_SID, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "TWILIO_FROM": TWILIO_FROM,
        "TWILIO_API_BASE_URL": fake_twilio.url,
        "AT_USERNAME": "rabta", "AT_API_KEY": "at-api-key", "AT_SENDER_ID": "RABTA", "AT_API_BASE_URL": fake_at.url,
        "AT_WEBHOOK_TOKEN": AT_TOKEN,
    }


@pytest.fixture
def settings(base_settings: Settings, fake_twilio: FakeTwilio, fake_at: FakeAfricasTalking) -> Settings:
    return base_settings.model_copy(update=sms_overrides(fake_twilio, fake_at))


def twilio_signature(path: str, params: dict[str, str], url_base: str = PUBLIC) -> str:
    return RequestValidator(TWILIO_TOKEN).compute_signature(url_base + path, params)


PostTwilio = Callable[..., TestResponse]


@pytest.fixture
def post_twilio(client: FlaskClient) -> PostTwilio:
    """POST a form to a Twilio webhook path, signed as Twilio signs it."""
    def post(path: str, params: dict[str, str], signature: str | None = None) -> TestResponse:
        headers = {"X-Twilio-Signature": signature if signature is not None else twilio_signature(path, params)}
        return client.post(path, data=urlencode(params), headers=headers,
                           content_type="application/x-www-form-urlencoded")
    return post


@pytest.fixture
def post_at(client: FlaskClient) -> Callable[..., TestResponse]:
    def post(path: str, params: dict[str, str], token: str | None = AT_TOKEN) -> TestResponse:
        query = f"?{urlencode({'token': token})}" if token is not None else ""
        return client.post(path + query, data=urlencode(params), content_type="application/x-www-form-urlencoded")
    return post


def twilio_inbound(body: str, sender: str = "+923001234567", sid: str | None = None) -> dict[str, str]:
    import uuid

    return {"MessageSid": sid or f"SM{uuid.uuid4().hex}", "AccountSid": TWILIO_SID, "From": sender,
            "To": TWILIO_FROM, "Body": body, "NumMedia": "0"}


def at_inbound(text: str, sender: str = "+923001234567", message_id: str | None = None) -> dict[str, str]:
    import uuid

    return {"from": sender, "to": "8012", "text": text, "date": "2026-11-28 10:00:00",
            "id": message_id or uuid.uuid4().hex, "linkId": "link-1", "networkCode": "41001"}


def release_retries(runtime: Runtime) -> int:
    """Pretend the backoff has passed: make every waiting retry due and hand its delayed job to the queue."""
    from rq.job import Job
    from rq.registry import ScheduledJobRegistry
    from sqlalchemy import update

    from app.queue import SMS, get_queue
    from app.timeutil import utcnow
    from sms.models import OutboundMessage

    with runtime.db.transaction() as session:
        session.execute(update(OutboundMessage).where(OutboundMessage.status == "queued")  # type: ignore[arg-type]
                        .values(next_attempt_at=utcnow()))
    queue = get_queue(SMS, runtime.redis)
    registry = ScheduledJobRegistry(queue=queue)
    job_ids = registry.get_job_ids()
    for job_id in job_ids:
        job = Job.fetch(job_id, connection=runtime.redis, serializer=queue.serializer)
        registry.remove(job)
        queue.enqueue_job(job)
    return len(job_ids)


def scheduled_retry_count(runtime: Runtime) -> int:
    from rq.registry import ScheduledJobRegistry

    from app.queue import SMS, get_queue

    return len(ScheduledJobRegistry(queue=get_queue(SMS, runtime.redis)).get_job_ids())


def outbound(session: Session) -> list[OutboundMessage]:
    session.rollback()  # a fresh snapshot: jobs committed in other sessions
    return list(session.exec(select(OutboundMessage).order_by(col(OutboundMessage.id))))
