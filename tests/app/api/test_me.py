"""The signed-in citizen's account: profile, CNIC once, language, preferences, PIN."""

from __future__ import annotations

from flask.testing import FlaskClient

from app.citizens.service import attempt_pin
from app.runtime import Runtime
from tests.fixtures.api import SignedIn, last_otp, sign_in

FRESH = "+923451112223"


def test_me_shows_the_masked_cnic_and_never_the_pin(client: FlaskClient, ayesha: SignedIn) -> None:
    me = client.get("/api/v1/me", headers=ayesha.headers).json
    assert me == {"id": ayesha.citizen_id, "msisdn": "+923001234567", "name": "Ayesha Khan",
                  "cnic": "*****-****567-2", "language": "en", "has_pin": True,
                  "notification_preferences": {"sms_reminders": True}}


def test_a_new_citizen_sets_name_cnic_language_and_preferences(client: FlaskClient, runtime: Runtime) -> None:
    citizen = sign_in(client, runtime, FRESH)
    response = client.patch("/api/v1/me", headers=citizen.headers, json={
        "name": "Sana Malik", "cnic": "3520298762223", "language": "ur-Latn",
        "notification_preferences": {"sms_reminders": False}})
    assert response.status_code == 200
    assert response.json["name"] == "Sana Malik"
    assert response.json["cnic"] == "*****-****222-3"
    assert response.json["language"] == "ur-Latn"
    assert response.json["notification_preferences"] == {"sms_reminders": False}
    assert client.get("/api/v1/me", headers=citizen.headers).json == response.json


def test_a_cnic_is_set_once(client: FlaskClient, ayesha: SignedIn) -> None:
    response = client.patch("/api/v1/me", headers=ayesha.headers, json={"cnic": "35202-7777777-1"})
    assert response.status_code == 422
    assert response.json["errors"] == {"cnic": "already set"}


def test_an_invalid_cnic_or_language_is_a_field_error(client: FlaskClient, ayesha: SignedIn) -> None:
    bad_cnic = client.patch("/api/v1/me", headers=ayesha.headers, json={"cnic": "1234"})
    assert bad_cnic.status_code == 422 and bad_cnic.json["errors"] == {"cnic": "invalid format"}
    bad_language = client.patch("/api/v1/me", headers=ayesha.headers, json={"language": "fr"})
    assert bad_language.status_code == 422 and "language" in bad_language.json["errors"]


def test_a_cnic_linked_to_another_number_is_refused(client: FlaskClient, runtime: Runtime, demo: None) -> None:
    citizen = sign_in(client, runtime, FRESH)
    response = client.patch("/api/v1/me", headers=citizen.headers, json={"cnic": "35202-1234567-2"})
    # The identity port says this number is not registered to Ayesha's CNIC: no claim without proof.
    assert response.status_code == 403 and response.json["code"] == "identity_not_verified"
    assert client.get("/api/v1/me", headers=citizen.headers).json["cnic"] is None


def test_unknown_profile_fields_are_rejected(client: FlaskClient, ayesha: SignedIn) -> None:
    response = client.patch("/api/v1/me", headers=ayesha.headers, json={"name": "A", "msisdn": "+923009999999"})
    assert response.status_code == 422 and response.json["errors"] == {"msisdn": "unknown field"}


def test_a_first_pin_needs_nothing_more(client: FlaskClient, runtime: Runtime) -> None:
    citizen = sign_in(client, runtime, FRESH)
    assert client.put("/api/v1/me/pin", headers=citizen.headers, json={"new_pin": "4826"}).status_code == 204
    assert client.get("/api/v1/me", headers=citizen.headers).json["has_pin"] is True
    with runtime.db.transaction() as session:
        assert attempt_pin(session=session, citizen_id=citizen.citizen_id, pin="4826").ok


def test_changing_a_pin_needs_the_old_pin(client: FlaskClient, runtime: Runtime, ayesha: SignedIn) -> None:
    missing = client.put("/api/v1/me/pin", headers=ayesha.headers, json={"new_pin": "5927"})
    assert missing.status_code == 422 and missing.json["errors"] == {"old_pin": "required"}
    changed = client.put("/api/v1/me/pin", headers=ayesha.headers, json={"new_pin": "5927", "old_pin": "2468"})
    assert changed.status_code == 204
    with runtime.db.transaction() as session:
        assert attempt_pin(session=session, citizen_id=ayesha.citizen_id, pin="5927").ok


def test_three_wrong_old_pins_lock_pin_use(client: FlaskClient, ayesha: SignedIn) -> None:
    answers = [client.put("/api/v1/me/pin", headers=ayesha.headers, json={"new_pin": "5927", "old_pin": "0001"})
               for _ in range(3)]
    assert [a.json["code"] for a in answers] == ["wrong_pin", "wrong_pin", "pin_locked"]
    assert answers[2].status_code == 423
    right_but_locked = client.put("/api/v1/me/pin", headers=ayesha.headers,
                                  json={"new_pin": "5927", "old_pin": "2468"})
    assert right_but_locked.json["code"] == "pin_locked"


def test_a_fresh_otp_replaces_the_old_pin(client: FlaskClient, runtime: Runtime, ayesha: SignedIn) -> None:
    client.post("/api/v1/auth/otp", json={"msisdn": ayesha.msisdn})
    code = last_otp(runtime, ayesha.msisdn)
    wrong = client.put("/api/v1/me/pin", headers=ayesha.headers,
                       json={"new_pin": "5927", "otp": f"{(int(code) + 1) % 1_000_000:06d}"})
    assert wrong.status_code == 401 and wrong.json["code"] == "invalid_otp"
    response = client.put("/api/v1/me/pin", headers=ayesha.headers, json={"new_pin": "5927", "otp": code})
    assert response.status_code == 204


def test_a_weak_pin_is_refused(client: FlaskClient, ayesha: SignedIn) -> None:
    response = client.put("/api/v1/me/pin", headers=ayesha.headers, json={"new_pin": "1234", "old_pin": "2468"})
    assert response.status_code == 422 and response.json["errors"] == {"new_pin": "too simple"}
