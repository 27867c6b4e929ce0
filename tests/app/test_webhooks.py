"""The Africa's Talking token may come as the X-Rabta-Token header instead of `?token=` (kept out of URLs)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from app.settings import Settings
from app.webhooks import AT_TOKEN_HEADER

TOKEN = "at-webhook-token-7c21"
AT_WEBHOOKS = ["/ussd/africastalking", "/ussd/africastalking/events", "/sms/africastalking",
               "/sms/africastalking/delivery"]


@pytest.fixture
def settings(base_settings: Settings) -> Settings:
    return base_settings.model_copy(update={"AT_WEBHOOK_TOKEN": TOKEN})


@pytest.mark.parametrize("path", AT_WEBHOOKS)
@pytest.mark.parametrize("given", ["", "wrong", TOKEN + "x"])
def test_a_wrong_token_header_is_forbidden_on_every_at_webhook(client: FlaskClient, path: str, given: str) -> None:
    assert client.post(path, data={"sessionId": "ATUid_9"}, headers={AT_TOKEN_HEADER: given}).status_code == 403


def test_the_token_in_the_header_opens_the_ussd_menu(client: FlaskClient, demo: None) -> None:
    form = {"sessionId": "ATUid_hdr", "serviceCode": "*384*786#", "phoneNumber": "+923001234567", "text": ""}
    response = client.post("/ussd/africastalking", data=form, headers={AT_TOKEN_HEADER: TOKEN})
    assert response.status_code == 200 and response.get_data(as_text=True).startswith("CON ")


def test_the_token_in_the_header_is_accepted_for_an_inbound_sms(client: FlaskClient, demo: None) -> None:
    form = {"from": "+923001234567", "to": "8012", "text": "HELP", "id": "hdr-1", "date": "now"}
    assert client.post("/sms/africastalking", data=form, headers={AT_TOKEN_HEADER: TOKEN}).status_code == 200
    assert client.post("/sms/africastalking", data={**form, "id": "hdr-2"}).status_code == 403
