"""The one outbound rule: a text owed to a number in the simulator's reserved range goes to the simulator and
never to a provider, whatever the provider settings or the attempt; and, outside development, the simulator
texts Rabta in the configured provider's own format (here Twilio's, signed server-side)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.notifications.service import queue_notification
from app.runtime import Runtime
from app.settings import Settings
from sms.models import InboundMessage, OutboundMessage
from sms.sending import provider_for
from sms.service import send_sms
from tests.fixtures.sms import FakeAfricasTalking, FakeTwilio
from tests.simulator.conftest import api
from tests.simulator.test_access import RESERVED, sign_in

RunJobs = Callable[[], None]
TWILIO_TOKEN = "sim-twilio-auth-token"
REAL = "+923001110002"


@pytest.fixture
def settings(base_settings: Settings, sim_overrides: dict[str, Any], fake_twilio: FakeTwilio,
             fake_at: FakeAfricasTalking) -> Settings:
    return base_settings.model_copy(update={
        **sim_overrides, "RABTA_ENV": "test", "SIMULATOR_ENABLED": True, "SMS_PROVIDER": "twilio",
        "SMS_FALLBACK_PROVIDER": "africastalking", "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "TWILIO_FROM": "+15005550006", "TWILIO_API_BASE_URL": fake_twilio.url,
        "AT_USERNAME": "rabta", "AT_API_KEY": "k", "AT_API_BASE_URL": fake_at.url})


def test_the_rule_picks_the_simulator_for_reserved_numbers_on_every_attempt() -> None:
    for attempt in (1, 2, 3, 4):
        assert provider_for(RESERVED, attempt, "twilio", "africastalking", "+92370000") == "simulator"
    assert provider_for(REAL, 1, "twilio", "africastalking", "+92370000") == "twilio"
    assert provider_for(REAL, 3, "twilio", "africastalking", "+92370000") == "africastalking"
    assert provider_for(RESERVED, 1, "twilio", None, "") == "twilio"  # no reserved range, no exception


def test_texts_to_reserved_numbers_never_reach_a_provider(
        runtime: Runtime, session: Session, run_jobs: RunJobs, fake_twilio: FakeTwilio,
        fake_at: FakeAfricasTalking, client: FlaskClient, app: Flask) -> None:
    with runtime.db.transaction() as tx:
        send_sms(session=tx, to=RESERVED, body="Rabta: your code is 123456", kind="pay_code", redis=runtime.redis)
        queue_notification(session=tx, msisdn=RESERVED, kind="status_change", template="sms.bills_more",
                           params={"count": 2})
        send_sms(session=tx, to=REAL, body="Rabta: hello", kind="reply")
    run_jobs()

    assert [r.form["To"] for r in fake_twilio.requests] == [REAL]
    assert fake_at.requests == []
    rows = session.exec(select(OutboundMessage).where(OutboundMessage.to == RESERVED)).all()
    assert len(rows) == 2 and {(r.provider, r.status) for r in rows} == {("simulator", "sent")}
    sign_in(app, "admin")
    inbox = client.get(f"/simulator/api/inbox?phone={RESERVED}").get_json()["messages"]
    code = next(m for m in inbox if m["kind"] == "pay_code")
    assert code["body"] == "Rabta: your code is 123456"  # the phone's own inbox shows its code...
    assert code["masked"] == "Rabta: your code is ******"  # ...the panel does not
    assert {m["kind"] for m in inbox} == {"pay_code", "status_change"}


def test_a_simulated_text_is_posted_in_twilios_format_with_a_valid_signature(
        client: FlaskClient, app: Flask, live_app: str, session: Session) -> None:
    sign_in(app, "admin")
    sent = api(client, "sms", {"phone": RESERVED, "text": "HELP"})
    assert sent["provider"] == "twilio" and sent["http"] == 200 and sent["command"] == "HELP"
    [inbound] = session.exec(select(InboundMessage).where(InboundMessage.msisdn == RESERVED)).all()
    assert inbound.provider == "twilio" and inbound.provider_message_id.startswith("SM")
    [reply] = session.exec(select(OutboundMessage).where(OutboundMessage.to == RESERVED)).all()
    assert reply.provider_status == "twiml" and reply.kind == "reply"  # answered inline, as Twilio expects


def test_a_simulated_call_in_production_mode_uses_the_at_token_and_a_reserved_number(
        client: FlaskClient, app: Flask, live_app: str) -> None:
    sign_in(app, "admin")
    first = api(client, "ussd/dial", {"phone": RESERVED})
    assert first["end"] is False and first["event"]["screen"] == "home"


def test_the_simulator_cannot_be_chosen_as_the_sms_provider(base_settings: Settings) -> None:
    from sms.providers import SmsProviders

    for update in ({"SMS_PROVIDER": "simulator"}, {"SMS_FALLBACK_PROVIDER": "simulator"}):
        with pytest.raises(ValueError, match="choose one of console, twilio, africastalking"):
            SmsProviders(base_settings.model_copy(update=update))
