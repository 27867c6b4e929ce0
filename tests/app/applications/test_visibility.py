"""One visibility rule, every channel: only the applicant (and the agency handling it) sees an application.

Anyone else gets exactly the answer given for a tracking number that does not exist, so no
channel is an oracle for other people's (sequential, guessable) tracking numbers.
"""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from app.runtime import Runtime
from tests.fixtures.api import agency_headers, sign_in
from tests.fixtures.channels import TextRabta
from tests.fixtures.ussd import UssdCall, screen_of

AYESHA, BILAL, STRANGER = "+923001234567", "+923331234567", "+923451112233"
AYESHAS, NOBODYS = "DOM-2026-000001", "DOM-2026-999999"


def _ussd_status(dial: Callable[..., UssdCall], phone: str, tracking: str) -> str:
    call = dial(phone)
    call.send("2", tracking)
    return screen_of(call)


def test_the_applicant_sees_her_application_on_every_channel(
        client: FlaskClient, runtime: Runtime, demo: None, dial: Callable[..., UssdCall],
        text_rabta: TextRabta) -> None:
    ayesha = sign_in(client, runtime, AYESHA)
    assert client.get(f"/api/v1/requests/{AYESHAS}", headers=ayesha.headers).json["status"] == "under_review"
    assert "Under review" in _ussd_status(dial, AYESHA, AYESHAS)
    reply = text_rabta(AYESHA, f"STATUS {AYESHAS}")
    assert reply is not None and reply.startswith(AYESHAS) and "Under review" in reply


def test_anyone_else_gets_the_answer_for_a_number_that_does_not_exist_on_every_channel(
        client: FlaskClient, runtime: Runtime, demo: None, dial: Callable[..., UssdCall],
        text_rabta: TextRabta) -> None:
    bilal = sign_in(client, runtime, BILAL)
    theirs = client.get(f"/api/v1/requests/{AYESHAS}", headers={**bilal.headers, "Accept-Language": "en"})
    missing = client.get(f"/api/v1/requests/{NOBODYS}", headers={**bilal.headers, "Accept-Language": "en"})
    assert (theirs.status_code, theirs.json["code"]) == (404, "request_not_found") == \
        (missing.status_code, missing.json["code"])

    for phone in (BILAL, STRANGER):  # a citizen with an account, and a number with none
        assert _ussd_status(dial, phone, AYESHAS) == _ussd_status(dial, phone, NOBODYS)
        assert "Zer-e-ghaur" not in _ussd_status(dial, phone, AYESHAS)
        assert text_rabta(phone, f"STATUS {AYESHAS}") == text_rabta(phone, f"STATUS {NOBODYS}")
        assert text_rabta(phone, AYESHAS) == text_rabta(phone, NOBODYS)  # the bare number too


def test_the_handling_agency_sees_it_and_other_agencies_do_not(
        client: FlaskClient, runtime: Runtime, demo: None) -> None:
    move = {"to": "info_requested", "note": "Bring your old domicile"}
    other = client.post(f"/api/v1/agency/requests/{AYESHAS}/transitions", json=move,
                        headers=agency_headers(runtime, "PSCA"))
    assert (other.status_code, other.json["code"]) == (404, "request_not_found")
    handling = client.post(f"/api/v1/agency/requests/{AYESHAS}/transitions", json=move,
                           headers=agency_headers(runtime, "DC"))
    assert (handling.status_code, handling.json["status"]) == (200, "info_requested")
