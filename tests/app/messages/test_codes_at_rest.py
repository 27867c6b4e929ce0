"""No one-time code is ever at rest in a table (issue 14, defect 3): after any journey that sends a sign-in
code or an SMS PAY code, the code appears in no text or JSON column of any table. The phone still gets it
(the provider's fake recorded it), and the tables keep the redacted text."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import select

from app.models import metadata
from app.runtime import Runtime
from app.settings import Settings
from tests.fixtures.api import last_otp
from tests.fixtures.channels import TextRabta
from tests.fixtures.sms import FakeAfricasTalking, FakeTwilio
from tests.sms.conftest import sms_overrides, twilio_inbound, twilio_signature

AYESHA, BILAL = "+923001234567", "+923331234567"
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


@pytest.fixture
def settings(base_settings: Settings, fake_twilio: FakeTwilio, fake_at: FakeAfricasTalking) -> Settings:
    return base_settings.model_copy(update=sms_overrides(fake_twilio, fake_at))


def _values_in_tables(runtime: Runtime) -> list[tuple[str, str, str]]:
    found = []
    with runtime.db.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)).mappings():
                for column, value in row.items():
                    if isinstance(value, str):
                        found.append((table.name, column, value))
                    elif isinstance(value, dict | list):
                        found.append((table.name, column, json.dumps(value, ensure_ascii=False)))
    return found


def assert_nowhere_at_rest(runtime: Runtime, codes: list[str]) -> None:
    assert codes, "the journey sent no code"
    for table, column, value in _values_in_tables(runtime):
        for code in codes:
            assert not re.search(rf"(?<!\d){code}(?!\d)", value), f"code found in {table}.{column}: {value[:120]}"


Journey = Callable[[FlaskClient, Runtime, TextRabta], str]


def api_sign_in(client: FlaskClient, runtime: Runtime, text_rabta: TextRabta) -> str:
    assert client.post("/api/v1/auth/otp", json={"msisdn": BILAL}).status_code == 202
    code = last_otp(runtime, BILAL)
    assert client.post("/api/v1/auth/token", json={"msisdn": BILAL, "otp": code}).status_code == 200
    return code


def sms_pay_on_africastalking(client: FlaskClient, runtime: Runtime, text_rabta: TextRabta) -> str:
    reply = text_rabta(AYESHA, "PAY 10000000000000002")
    match = CODE.search(reply or "")
    assert match is not None, reply
    return match.group(1)


def sms_pay_on_twilio(client: FlaskClient, runtime: Runtime, text_rabta: TextRabta) -> str:
    params = twilio_inbound("PAY 10000000000000002", sender=AYESHA)
    response = client.post("/sms/twilio", data=urlencode(params), content_type="application/x-www-form-urlencoded",
                           headers={"X-Twilio-Signature": twilio_signature("/sms/twilio", params)})
    match = CODE.search(response.get_data(as_text=True))
    assert match is not None, response.get_data(as_text=True)
    return match.group(1)


JOURNEYS: list[Journey] = [api_sign_in, sms_pay_on_africastalking, sms_pay_on_twilio]


@pytest.mark.parametrize("journey", JOURNEYS, ids=lambda j: j.__name__)
def test_a_sent_code_is_in_no_table_and_reaches_the_phone(
        client: FlaskClient, runtime: Runtime, demo: None, run_jobs, text_rabta: TextRabta,  # type: ignore[no-untyped-def]
        fake_twilio: FakeTwilio, fake_at: FakeAfricasTalking, journey: Journey) -> None:
    code = journey(client, runtime, text_rabta)
    run_jobs()  # drain the outbox and send: the provider gets the clear text
    assert_nowhere_at_rest(runtime, [code])
    if journey is not sms_pay_on_twilio:  # that one went back inline, in the TwiML answer
        sent = [r.form.get("Body") or r.form.get("message") or "" for r in fake_twilio.requests + fake_at.requests]
        assert any(code in body for body in sent), sent


def test_any_sequence_of_code_journeys_leaves_no_code_at_rest(
        client: FlaskClient, runtime: Runtime, demo: None, run_jobs, text_rabta: TextRabta) -> None:  # type: ignore[no-untyped-def]
    @hsettings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.lists(st.sampled_from(JOURNEYS), min_size=1, max_size=3))
    def run(journeys: list[Journey]) -> None:
        runtime.redis.flushdb()  # fresh send allowances per example; the tables keep growing
        codes = [journey(client, runtime, text_rabta) for journey in journeys]
        run_jobs()
        assert_nowhere_at_rest(runtime, codes)

    run()
