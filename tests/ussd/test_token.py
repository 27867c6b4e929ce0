"""With AT_WEBHOOK_TOKEN set, both USSD callbacks need `?token=` (403 otherwise)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from app.runtime import Runtime
from app.settings import Settings
from tests.fixtures.ussd import AYESHA, UssdCall

TOKEN = "at-webhook-token-3e9d"


@pytest.fixture
def settings(base_settings: Settings) -> Settings:
    return base_settings.model_copy(update={"AT_WEBHOOK_TOKEN": TOKEN})


@pytest.mark.parametrize("path", ["/ussd/africastalking", "/ussd/africastalking/events"])
@pytest.mark.parametrize("query", ["", "?token=", "?token=wrong", f"?token={TOKEN}x", f"?tok={TOKEN}"])
def test_a_missing_or_wrong_token_is_forbidden_and_records_nothing(
        client: FlaskClient, runtime: Runtime, path: str, query: str) -> None:
    form = {"sessionId": "ATUid_1", "phoneNumber": AYESHA, "text": "", "status": "Success"}
    response = client.post(path + query, data=form)
    assert (response.status_code, response.get_data(as_text=True)) == (403, "Forbidden")
    assert runtime.redis.keys("rabta:ussd:*") == []


def test_the_right_token_opens_the_menu_and_records_the_end(
        demo: None, dial: Callable[..., UssdCall]) -> None:
    call = dial(AYESHA, token=TOKEN)
    assert "Under review" in call.send("2", "DOM-2026-000001")
    assert call.end("Success").status_code == 200
