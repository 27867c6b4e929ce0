"""Whatever a handset or a gateway sends: a clear CON re-prompt or a polite END, never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from app import create_app
from app.messages.gsm7 import is_gsm7
from app.runtime import Runtime
from app.settings import Settings
from tests.fixtures.ussd import AYESHA, UssdCall, screen_of
from ussd.store import session_key

HOME_TITLE = "Rabta govt services"


@pytest.mark.parametrize("typed", ["abc", "1*2", "#", "*", "1#", "😀", "ایک", "۱", "  ", "6", "99", "-1", "1.0",
                                   "x" * 10_000])
def test_a_bad_menu_choice_reprompts_the_same_menu_with_a_reason(
        demo: None, dial: Callable[..., UssdCall], typed: str) -> None:
    call = dial(AYESHA)
    screen = call.send(typed)
    assert screen.startswith("CON ")
    assert ("Invalid choice." in screen) or ("Nothing was entered." in screen)
    assert HOME_TITLE in screen
    assert "PSID" in call.send("1")  # the session carries on normally


@pytest.mark.parametrize("typed", ["1234567890123456789012345", "1000000000000000", "abcdefghijklmnopq",
                                   "10000000000000001*1", "#10000000000000001", "١٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠١", "😀" * 17,
                                   "9" * 10_000])
def test_a_malformed_psid_reprompts_for_a_psid(demo: None, dial: Callable[..., UssdCall], typed: str) -> None:
    call = dial(AYESHA)
    call.send("1")
    screen = call.send(typed)
    assert screen.startswith("CON A PSID has 17 digits.\nEnter the 17-digit PSID")
    assert "Punjab Safe City" in call.send("10000000000000001")


def test_a_psid_typed_with_spaces_or_dashes_is_accepted(demo: None, dial: Callable[..., UssdCall]) -> None:
    call = dial(AYESHA)
    assert "PSID 10000000000000001" in call.send("1", "10000-00000000-0001")


@pytest.mark.parametrize("typed", ["DOM", "DOM-2026-1", "12345", "ڈومیسائل", "DOM-2026-000001-9", "*#*#"])
def test_a_malformed_tracking_number_reprompts(demo: None, dial: Callable[..., UssdCall], typed: str) -> None:
    call = dial(AYESHA)
    call.send("2")
    assert call.send(typed).startswith("CON Tracking number looks like DOM-2026-000001.")


def test_empty_input_says_nothing_was_entered(demo: None, dial: Callable[..., UssdCall]) -> None:
    call = dial(AYESHA)
    call.send("1")
    assert call.send("").startswith("CON Nothing was entered.\nEnter the 17-digit PSID")


def test_input_containing_a_star_is_one_input_not_several(demo: None, dial: Callable[..., UssdCall]) -> None:
    call = dial(AYESHA)
    assert "Invalid choice." in call.send("2*1")  # not "2" then "1"
    assert "tracking number" in call.send("2")
    assert "Tracking number looks like" in call.send("DOM*2026*000001")
    assert "Under review" in call.send("DOM-2026-000001")


def test_an_unknown_session_arriving_mid_path_starts_again_politely(
        demo: None, dial: Callable[..., UssdCall]) -> None:
    call = dial(AYESHA, start=False)
    call.inputs = ["1", "10000000000000001"]
    screen = call.send("1")
    assert screen.startswith("CON Your session timed out. Starting again.\nRabta govt services")
    assert "PSID" in call.send("1")


def test_a_10_kb_text_on_an_unknown_session_starts_again(demo: None, dial: Callable[..., UssdCall]) -> None:
    call = dial(AYESHA, start=False)
    call.inputs = ["1" * 5000]
    assert HOME_TITLE in call.send("2" * 5000)


def test_redis_flushed_mid_session_starts_again_and_carries_on(
        demo: None, runtime: Runtime, dial: Callable[..., UssdCall]) -> None:
    call = dial(AYESHA)
    call.send("1")
    runtime.redis.flushdb()
    assert call.send("10000000000000001").startswith("CON Your session timed out. Starting again.")
    assert "PSID" in call.send("1")
    assert "Punjab Safe City" in call.send("10000000000000001")


def test_a_corrupt_session_record_starts_again(demo: None, runtime: Runtime, dial: Callable[..., UssdCall]) -> None:
    call = dial(AYESHA)
    runtime.redis.set(session_key(call.session_id), b"\xff{not json")
    assert "timed out" in call.send("1")
    runtime.redis.set(session_key(call.session_id), '{"screen": "nowhere", "session_id": 1}')
    assert "timed out" in call.send("1")
    runtime.redis.set(session_key(call.session_id), '{"s": {"screen": "nowhere", "session_id": "x", "phone": "y"}}')
    assert "timed out" in call.send("1")
    runtime.redis.set(session_key(call.session_id), '[1, 2]')
    assert "timed out" in call.send("1")


def test_a_session_id_reused_by_another_number_does_not_leak_the_first_callers_journey(
        demo: None, client: FlaskClient, dial: Callable[..., UssdCall]) -> None:
    call = dial(AYESHA)
    call.send("1", "10000000000000001")
    other = UssdCall(client, "+923219876543", call.session_id, inputs=list(call.inputs))
    screen = other.send("1")
    assert "Punjab Safe City" not in screen and "PIN" not in screen


@pytest.mark.parametrize("form", [
    {"phoneNumber": AYESHA, "text": ""},  # no sessionId
    {"sessionId": "", "phoneNumber": AYESHA, "text": ""},
    {"sessionId": "ATUid_1", "text": ""},  # no phoneNumber
    {"sessionId": "ATUid_1", "phoneNumber": "not-a-number", "text": ""},
    {"sessionId": "ATUid 1 with spaces", "phoneNumber": AYESHA, "text": ""},
    {"sessionId": "x" * 500, "phoneNumber": AYESHA, "text": ""},
])
def test_a_request_missing_the_session_or_the_number_is_refused_politely(
        client: FlaskClient, form: dict[str, str]) -> None:
    response = client.post("/ussd/africastalking", data=form)
    assert response.status_code == 400 and response.mimetype == "text/plain"
    assert response.get_data(as_text=True).startswith("END Sorry, we could not read that request.")


def test_a_missing_text_field_is_the_first_hop(demo: None, client: FlaskClient) -> None:
    response = client.post("/ussd/africastalking", data={"sessionId": "ATUid_9", "phoneNumber": "03001234567"})
    assert response.status_code == 200 and HOME_TITLE in response.get_data(as_text=True)


def test_a_json_body_instead_of_a_form_is_refused_politely(client: FlaskClient, runtime: Runtime) -> None:
    response = client.post("/ussd/africastalking", json={"sessionId": "ATUid_1", "phoneNumber": AYESHA})
    assert response.status_code == 400
    assert response.get_data(as_text=True) == "END Sorry, we could not read that request. Please dial again."
    assert runtime.redis.keys("rabta:ussd:*") == []


def test_a_get_is_not_allowed(client: FlaskClient) -> None:
    response = client.get("/ussd/africastalking")
    assert (response.status_code, response.json["code"]) == (405, "method_not_allowed")
    assert set(response.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}


def test_an_unreachable_redis_ends_the_call_politely(settings: Settings) -> None:
    broken = create_app(settings.model_copy(update={"REDIS_URL": "redis://127.0.0.1:1/0"}))
    response = broken.test_client().post("/ussd/africastalking",
                                         data={"sessionId": "ATUid_1", "phoneNumber": AYESHA, "text": ""})
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "END Rabta is busy right now. Please dial again in a minute."


def test_every_reply_to_hostile_input_is_gsm7(demo: None, dial: Callable[..., UssdCall]) -> None:
    call = dial(AYESHA)
    for typed in ["😀", "ایک", "€€€", "\x00\x07", "<script>", "1"]:
        call.send(typed)
        assert is_gsm7(screen_of(call))


def test_a_malformed_end_of_session_event_is_refused_and_a_repeat_is_ignored(
        demo: None, client: FlaskClient, dial: Callable[..., UssdCall]) -> None:
    assert client.post("/ussd/africastalking/events", data={"status": "Success"}).status_code == 400
    assert client.post("/ussd/africastalking/events", data={"sessionId": "ATUid_1"}).status_code == 400
    assert client.post("/ussd/africastalking/events",
                       data={"sessionId": "ATUid_1", "status": "Not a status!"}).status_code == 400
    call = dial(AYESHA)
    assert call.end("Incomplete").get_data(as_text=True) == "OK"
    assert call.end("Incomplete").get_data(as_text=True) == "OK (already recorded)"
    unknown = client.post("/ussd/africastalking/events", data={"sessionId": "never-seen", "status": "Failed"})
    assert unknown.status_code == 200
