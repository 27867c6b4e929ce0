"""Outages answer 503 + Retry-After, never 500 (issue 14, defect 7): Redis down on the API (limits fail open
for a bounded window, so read-only endpoints keep answering) and on the SMS webhooks; the database down on
1Bill, answered in 1Bill's own format."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask

from app import create_app, ratelimit
from app.settings import Settings
from tests.factories import local_day
from tests.fixtures.sms import FakeAfricasTalking, FakeTwilio
from tests.payments.helpers import basic_auth
from tests.sms.conftest import sms_overrides, twilio_inbound, twilio_signature
from tests.support import free_port

ONEBILL = {"ONEBILL_USERNAME": "bank-user", "ONEBILL_PASSWORD": "bank-pass-123"}


@pytest.fixture(autouse=True)
def fresh_outage_clock() -> Iterator[None]:
    ratelimit.OUTAGE.recovered()
    yield
    ratelimit.OUTAGE.recovered()


@pytest.fixture
def settings(base_settings: Settings, fake_twilio: FakeTwilio, fake_at: FakeAfricasTalking) -> Settings:
    return base_settings.model_copy(update={**sms_overrides(fake_twilio, fake_at), **ONEBILL})


def _without_redis(settings: Settings, **extra: Any) -> Flask:
    return create_app(settings.model_copy(update={"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0", **extra}))


def test_redis_down_read_only_api_answers_within_the_fail_open_window(app: Flask, settings: Settings) -> None:
    broken = _without_redis(settings)
    response = broken.test_client().get("/api/v1/services")
    assert response.status_code == 200 and isinstance(response.get_json(), dict | list)


def test_redis_down_past_the_window_the_api_answers_503_with_retry_after(app: Flask, settings: Settings) -> None:
    broken = _without_redis(settings, RATE_LIMIT_FAIL_OPEN_SECONDS=0)
    client = broken.test_client()
    client.get("/api/v1/services")  # the outage starts
    response = client.get("/api/v1/services")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert response.get_json()["code"] == "service_unavailable"


def test_redis_down_an_endpoint_that_needs_it_answers_503_not_500(app: Flask, settings: Settings) -> None:
    response = _without_redis(settings).test_client().post("/api/v1/auth/otp", json={"msisdn": "+923001234567"})
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert response.mimetype == "application/problem+json"


def test_redis_down_an_inbound_twilio_text_answers_503_so_twilio_retries(app: Flask, settings: Settings) -> None:
    params = twilio_inbound("HELP")
    response = _without_redis(settings).test_client().post(
        "/sms/twilio", data=urlencode(params), content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": twilio_signature("/sms/twilio", params)})
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"


def test_database_down_1bill_answers_service_fail_in_1bill_format(app: Flask, settings: Settings) -> None:
    dead = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/gone"
    broken = create_app(settings.model_copy(update={"DATABASE_URL": dead}))
    client = broken.test_client()
    inquiry = client.post("/billers/1bill/inquiry", headers=basic_auth("bank-user", "bank-pass-123"),
                          data=json.dumps({"consumer_number": "10000000000000001", "bank_mnemonic": "HBL"}),
                          content_type="application/json")
    assert inquiry.status_code == 503 and inquiry.headers["Retry-After"] == "30"
    assert inquiry.mimetype == "application/json" and inquiry.get_json()["response_Code"] == "05"
    today = local_day().strftime("%Y%m%d")  # a bank books a payment today (or yesterday), never earlier
    payment = client.post("/billers/1bill/payment", headers=basic_auth("bank-user", "bank-pass-123"),
                          data=json.dumps({"consumer_number": "10000000000000001", "tran_auth_id": "A1",
                                           "transaction_amount": "000000150000", "tran_date": today,
                                           "tran_time": "101010", "bank_mnemonic": "HBL"}),
                          content_type="application/json")
    assert payment.status_code == 503
    assert payment.get_json() == {"response_Code": "05", "Identification_parameter": "", "reserved": ""}
