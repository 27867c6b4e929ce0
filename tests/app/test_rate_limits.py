"""Rate limits where there were none (issue 14, defect 10), all through the one limiter (`app.ratelimit`):
USSD per number and per session, 1Bill per bank credential and failed Basic auth per client, wallet
callbacks per source address (the real one behind a trusted proxy)."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from app.settings import Settings
from tests.payments.helpers import basic_auth

LIMITS = {"USSD_HOPS_PER_NUMBER_PER_MINUTE": 4, "USSD_HOPS_PER_SESSION_PER_MINUTE": 3,
          "ONEBILL_USERNAME": "bank-user", "ONEBILL_PASSWORD": "bank-pass-123",
          "ONEBILL_FAILED_AUTH_PER_MINUTE": 3, "ONEBILL_REQUESTS_PER_MINUTE": 5,
          "PAYMENT_CALLBACKS_PER_MINUTE": 2, "TRUSTED_PROXY_COUNT": 1, "SANDBOX_WALLET_SECRET": "s"}
BUSY = "END Rabta is busy right now. Please dial again in a minute."
INQUIRY = json.dumps({"consumer_number": "10000000000000001", "bank_mnemonic": "HBL"})


@pytest.fixture
def settings(base_settings: Settings) -> Settings:
    return base_settings.model_copy(update=LIMITS)


def _hop(client: FlaskClient, session_id: str, phone: str = "+923001234567", text: str = "") -> str:
    form = {"sessionId": session_id, "phoneNumber": phone, "serviceCode": "*384*786#", "text": text}
    return client.post("/ussd/africastalking", data=form).get_data(as_text=True)


def test_ussd_hops_of_one_session_are_limited(client: FlaskClient, demo: None) -> None:
    replies = [_hop(client, "ATUid_rl1", text=("1" if n else "")) for n in range(4)]
    assert all(reply.startswith("CON ") for reply in replies[:3]) and replies[3] == BUSY


def test_ussd_sessions_of_one_number_are_limited_and_other_numbers_are_not(client: FlaskClient,
                                                                           demo: None) -> None:
    replies = [_hop(client, f"ATUid_n{n}") for n in range(5)]
    assert all(reply.startswith("CON ") for reply in replies[:4]) and replies[4] == BUSY
    assert _hop(client, "ATUid_other", phone="+923009876543").startswith("CON ")


def _inquiry(client: FlaskClient, password: str = "bank-pass-123", addr: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post("/billers/1bill/inquiry", data=INQUIRY, content_type="application/json",
                       headers={**basic_auth("bank-user", password), "X-Forwarded-For": addr})


def test_failed_1bill_basic_auth_is_limited_per_client_even_with_the_right_password_next(
        client: FlaskClient, demo: None) -> None:
    assert [_inquiry(client, f"guess{n}").status_code for n in range(3)] == [401, 401, 401]
    blocked = _inquiry(client)
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert blocked.get_json()["response_Code"] == "05"
    assert _inquiry(client, addr="10.0.0.2").get_json()["response_Code"] == "00"  # another bank's address


def test_1bill_requests_are_limited_per_bank_credential(client: FlaskClient, demo: None) -> None:
    codes = [_inquiry(client, addr=f"10.0.1.{n}").status_code for n in range(6)]
    assert codes == [200] * 5 + [429]


def test_wallet_callbacks_are_limited_per_real_source_address(client: FlaskClient) -> None:
    def callback(addr: str) -> int:
        return client.post("/payments/callbacks/sandbox", data=b"{}", content_type="application/json",
                           headers={"X-Forwarded-For": addr}).status_code

    assert [callback("203.0.113.7") for _ in range(3)] == [401, 401, 429]
    assert callback("203.0.113.8") == 401  # behind the proxy, each caller is counted on its own
