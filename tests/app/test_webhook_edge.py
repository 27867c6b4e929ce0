"""Every webhook refuses control characters and over-long fields at the edge with a 400 (never a 500), and
survives non-ASCII digits: AT and signed Twilio inbound SMS and both delivery reports, USSD hops and events,
signed wallet callbacks and 1Bill (issue 14, defects 4 and 6)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlmodel import Session, select
from werkzeug.test import TestResponse

from app.settings import Settings
from payments.providers.sandbox import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from sms.models import InboundMessage
from tests.fixtures.payments import SANDBOX_SECRET
from tests.fixtures.sms import FakeAfricasTalking, FakeTwilio
from tests.payments.helpers import basic_auth
from tests.sms.conftest import AT_TOKEN, sms_overrides, twilio_signature

ONEBILL = {"ONEBILL_USERNAME": "bank-user", "ONEBILL_PASSWORD": "bank-pass-123"}


@pytest.fixture
def settings(base_settings: Settings, fake_twilio: FakeTwilio, fake_at: FakeAfricasTalking) -> Settings:
    return base_settings.model_copy(update={**sms_overrides(fake_twilio, fake_at), **ONEBILL,
                                            "SANDBOX_WALLET_SECRET": SANDBOX_SECRET})


@dataclass(frozen=True)
class Webhook:
    name: str
    path: str
    fields: dict[str, str]
    kind: str  # at | twilio | wallet | onebill
    free_text: tuple[str, ...] = ()  # keypresses the channel answers itself (USSD `text`: "Invalid choice")

    def post(self, client: FlaskClient, fields: dict[str, str]) -> TestResponse:
        if self.kind == "at":
            return client.post(self.path, data=urlencode(fields), headers={"X-Rabta-Token": AT_TOKEN},
                               content_type="application/x-www-form-urlencoded")
        if self.kind == "twilio":
            return client.post(self.path, data=urlencode(fields),
                               headers={"X-Twilio-Signature": twilio_signature(self.path, fields)},
                               content_type="application/x-www-form-urlencoded")
        body = json.dumps(fields).encode()
        if self.kind == "wallet":
            stamp = str(int(time.time()))
            return client.post(self.path, data=body, content_type="application/json",
                               headers={TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: sign(SANDBOX_SECRET, stamp, body)})
        return client.post(self.path, data=body, content_type="application/json",
                           headers=basic_auth("bank-user", "bank-pass-123"))


WEBHOOKS = [
    Webhook("ussd hop", "/ussd/africastalking", {"sessionId": "ATUid_f", "serviceCode": "*384*786#",
                                                 "phoneNumber": "+923001234567", "text": "1"}, "at", ("text",)),
    Webhook("ussd event", "/ussd/africastalking/events", {"sessionId": "ATUid_f", "status": "Success",
                                                          "phoneNumber": "+923001234567"}, "at"),
    Webhook("at inbound", "/sms/africastalking", {"from": "+923001234567", "to": "8012", "text": "STATUS 1",
                                                  "id": "at-1", "date": "2026-11-28 10:00:00"}, "at"),
    Webhook("at delivery", "/sms/africastalking/delivery", {"id": "ATXid_1", "status": "Success",
                                                            "phoneNumber": "+923001234567"}, "at"),
    Webhook("twilio inbound", "/sms/twilio", {"MessageSid": "SM1", "From": "+923001234567", "To": "+15005550006",
                                              "Body": "HELP"}, "twilio"),
    Webhook("twilio status", "/sms/twilio/status", {"MessageSid": "SM1", "MessageStatus": "delivered",
                                                    "To": "+923001234567"}, "twilio"),
    Webhook("wallet callback", "/payments/callbacks/sandbox", {"event_id": "ev1", "merchant_reference": "R1",
                                                                "charge_id": "ch1", "status": "succeeded",
                                                                "currency": "PKR"}, "wallet"),
    Webhook("1bill inquiry", "/billers/1bill/inquiry", {"consumer_number": "10000000000000001",
                                                        "bank_mnemonic": "HBL"}, "onebill"),
    Webhook("1bill payment", "/billers/1bill/payment", {"consumer_number": "10000000000000001", "tran_auth_id": "A1",
                                                        "transaction_amount": "000000150000", "tran_date": "20261128",
                                                        "tran_time": "101010", "bank_mnemonic": "HBL"}, "onebill"),
]
CONTROL = st.sampled_from(["\x00", "\x01", "\x07", "\x1b", "\x7f", "\x85", "\x0b"])
NON_ASCII_DIGITS = st.text(alphabet=st.sampled_from("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹０１２３४५"), min_size=1, max_size=30)


@st.composite
def poisoned(draw: Callable[..., Any], webhook: Webhook) -> tuple[dict[str, str], bool]:
    """The webhook's fields with one of them replaced; True when the replacement must be refused."""
    name = draw(st.sampled_from(sorted(webhook.fields)))
    kind = draw(st.sampled_from(["control", "long", "digits"]))
    original = webhook.fields[name]
    if kind == "control":
        cut = draw(st.integers(0, len(original)))
        value, refuse = original[:cut] + draw(CONTROL) + original[cut:], True
    elif kind == "long":
        value, refuse = original + "9" * draw(st.integers(4097, 6000)), True
    else:
        value, refuse = draw(NON_ASCII_DIGITS), False
    return {**webhook.fields, name: value}, refuse and name not in webhook.free_text


@pytest.mark.parametrize("webhook", WEBHOOKS, ids=[w.name for w in WEBHOOKS])
def test_every_webhook_refuses_poison_with_a_400_and_never_a_500(client: FlaskClient, demo: None,
                                                                  webhook: Webhook) -> None:
    @hsettings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(case=poisoned(webhook))
    def run(case: tuple[dict[str, str], bool]) -> None:
        fields, refuse = case
        response = webhook.post(client, fields)
        assert response.status_code < 500, (fields, response.get_data(as_text=True)[:200])
        if refuse:
            assert response.status_code == 400, fields

    run()


@pytest.mark.parametrize("nul_field", ["Body", "MessageSid", "To"])
def test_a_nul_in_a_signed_twilio_text_is_refused_and_nothing_is_stored(client: FlaskClient, session: Session,
                                                                        nul_field: str) -> None:
    webhook = WEBHOOKS[4]
    fields = {**webhook.fields, "MessageSid": f"SM{uuid.uuid4().hex}"}
    fields[nul_field] += "\x00"
    response = webhook.post(client, fields)
    assert response.status_code == 400 and response.get_data(as_text=True) == "Bad request"
    assert session.exec(select(InboundMessage)).all() == []


def test_a_ussd_text_far_beyond_any_session_is_refused_but_garbage_keys_get_a_menu(client: FlaskClient,
                                                                                   demo: None) -> None:
    hop = WEBHOOKS[0]
    assert hop.post(client, {**hop.fields, "text": "1" * 40_000}).status_code == 400
    response = hop.post(client, {**hop.fields, "sessionId": "ATUid_nul", "text": ""})
    response = hop.post(client, {**hop.fields, "sessionId": "ATUid_nul", "text": "\x00"})
    assert response.status_code == 200 and "Invalid choice." in response.get_data(as_text=True)


def test_a_1bill_request_with_a_control_character_hears_invalid_data_in_1bill_format(client: FlaskClient) -> None:
    response = WEBHOOKS[7].post(client, {"consumer_number": "12345\u0000", "bank_mnemonic": "HBL"})
    assert response.status_code == 400 and response.get_json()["response_Code"] == "04"


def test_an_escaped_nul_inside_a_wallet_callback_json_is_refused(client: FlaskClient) -> None:
    response = WEBHOOKS[6].post(client, {**WEBHOOKS[6].fields, "merchant_reference": "R\u0000"})
    assert response.status_code == 400 and response.get_json()["code"] == "malformed_callback"


@pytest.mark.parametrize("stamp", ["١٧٠٠٠٠٠٠٠٠", "9" * 5000, "17000000001234", "+1700000000", " 1700000000", ""])
def test_a_timestamp_that_is_not_a_few_ascii_digits_is_an_invalid_signature_not_a_500(
        client: FlaskClient, stamp: str) -> None:
    body = json.dumps(WEBHOOKS[6].fields).encode()
    response = client.post("/payments/callbacks/sandbox", data=body, content_type="application/json",
                           headers={TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: sign(SANDBOX_SECRET, "1", body)})
    assert response.status_code == 401 and response.get_json()["code"] == "invalid_signature"


def test_a_non_ascii_signature_is_an_invalid_signature_not_a_500(client: FlaskClient) -> None:
    body = json.dumps(WEBHOOKS[6].fields).encode()
    response = client.post("/payments/callbacks/sandbox", data=body, content_type="application/json",
                           headers={TIMESTAMP_HEADER: str(int(time.time())), SIGNATURE_HEADER: "سائن"})
    assert response.status_code == 401
