"""OTP sign-in, access tokens, rotating refresh tokens and key rotation."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app import create_app
from app.api.auth import token_config
from app.auth.otp import OtpKeys
from app.auth.tokens import TokenConfig, issue_access_token
from app.citizens.models import Citizen
from app.notifications.models import Notification
from app.runtime import Runtime
from app.settings import Settings
from tests.fixtures.api import SignedIn, last_otp, sign_in

NEW_NUMBER = "+923451234567"


def test_an_otp_is_six_digits_sent_by_sms_through_the_outbox_and_lives_five_minutes(
        client: FlaskClient, runtime: Runtime, session: Session) -> None:
    response = client.post("/api/v1/auth/otp", json={"msisdn": "0345 1234567"})
    assert response.status_code == 202
    assert response.json == {"sent": True, "expires_in": 300}
    [row] = session.exec(select(Notification).where(Notification.kind == "otp")).all()
    assert row.msisdn == NEW_NUMBER and row.status == "pending"
    code = last_otp(runtime, NEW_NUMBER)
    assert len(code) == 6 and code.isdigit() and code not in row.body and "******" in row.body  # kept redacted
    assert 0 < runtime.redis.ttl(OtpKeys.for_number(NEW_NUMBER).code) <= 300
    assert code.encode() not in (runtime.redis.get(OtpKeys.for_number(NEW_NUMBER).code) or b""), "stored hashed"


def test_the_otp_answer_is_the_same_for_known_and_unknown_numbers(client: FlaskClient, demo: None) -> None:
    known = client.post("/api/v1/auth/otp", json={"msisdn": "03001234567"})
    unknown = client.post("/api/v1/auth/otp", json={"msisdn": "03009876543"})
    assert (known.status_code, known.data) == (unknown.status_code, unknown.data)


def test_a_fourth_otp_within_fifteen_minutes_is_refused_with_retry_after(client: FlaskClient) -> None:
    for _ in range(3):
        assert client.post("/api/v1/auth/otp", json={"msisdn": NEW_NUMBER}).status_code == 202
    refused = client.post("/api/v1/auth/otp", json={"msisdn": NEW_NUMBER})
    assert refused.status_code == 429
    assert refused.json["code"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 900


def test_an_invalid_number_gets_a_localised_field_error(client: FlaskClient) -> None:
    response = client.post("/api/v1/auth/otp", json={"msisdn": "12345"}, headers={"Accept-Language": "ur"})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "invalid_phone_number"
    assert response.json["detail"] == "موبائل نمبر درست نہیں۔ مثال: 03001234567"


def test_the_first_sign_in_creates_the_citizen(client: FlaskClient, runtime: Runtime, session: Session) -> None:
    assert session.exec(select(Citizen).where(Citizen.msisdn == NEW_NUMBER)).first() is None
    signed_in = sign_in(client, runtime, NEW_NUMBER)
    session.rollback()  # end the read snapshot taken above
    citizen = session.exec(select(Citizen).where(Citizen.msisdn == NEW_NUMBER)).one()
    assert citizen.id == signed_in.citizen_id


def test_an_otp_works_once(client: FlaskClient, runtime: Runtime) -> None:
    client.post("/api/v1/auth/otp", json={"msisdn": NEW_NUMBER})
    code = last_otp(runtime, NEW_NUMBER)
    assert client.post("/api/v1/auth/token", json={"msisdn": NEW_NUMBER, "otp": code}).status_code == 200
    again = client.post("/api/v1/auth/token", json={"msisdn": NEW_NUMBER, "otp": code})
    assert again.status_code == 401 and again.json["code"] == "invalid_otp"


def test_five_wrong_codes_lock_the_number_for_fifteen_minutes_even_for_the_right_code(
        client: FlaskClient, runtime: Runtime) -> None:
    client.post("/api/v1/auth/otp", json={"msisdn": NEW_NUMBER})
    right = last_otp(runtime, NEW_NUMBER)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    answers = [client.post("/api/v1/auth/token", json={"msisdn": NEW_NUMBER, "otp": wrong}) for _ in range(5)]
    assert [a.json["code"] for a in answers] == ["invalid_otp"] * 4 + ["otp_locked"]
    locked = client.post("/api/v1/auth/token", json={"msisdn": NEW_NUMBER, "otp": right})
    assert locked.status_code == 429 and locked.json["code"] == "otp_locked"
    assert 850 < int(locked.headers["Retry-After"]) <= 900
    assert client.post("/api/v1/auth/otp", json={"msisdn": NEW_NUMBER}).json["code"] == "otp_locked"


def test_a_refresh_rotates_the_refresh_token_and_gives_a_working_access_token(
        client: FlaskClient, ayesha: SignedIn) -> None:
    response = client.post("/api/v1/auth/refresh", json={"refresh_token": ayesha.refresh_token})
    assert response.status_code == 200
    assert response.json["refresh_token"] != ayesha.refresh_token
    assert response.json["expires_in"] == 900 and response.json["refresh_expires_in"] == 30 * 24 * 3600
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {response.json['access_token']}"})
    assert me.json["id"] == ayesha.citizen_id


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(client: FlaskClient, ayesha: SignedIn) -> None:
    rotated = client.post("/api/v1/auth/refresh", json={"refresh_token": ayesha.refresh_token}).json
    reuse = client.post("/api/v1/auth/refresh", json={"refresh_token": ayesha.refresh_token})
    assert reuse.status_code == 401 and reuse.json["code"] == "refresh_token_reused"
    newest = client.post("/api/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert newest.status_code == 401, "the legitimate holder's newer token dies too"
    for token in (ayesha.access_token, rotated["access_token"]):
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_logout_ends_the_session_and_its_access_tokens(client: FlaskClient, ayesha: SignedIn) -> None:
    assert client.post("/api/v1/auth/logout", json={"refresh_token": ayesha.refresh_token}).status_code == 204
    assert client.get("/api/v1/me", headers=ayesha.headers).json["code"] == "invalid_token"
    refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": ayesha.refresh_token})
    assert refresh.status_code == 401
    assert client.post("/api/v1/auth/logout", json={"refresh_token": "rt_unknown"}).status_code == 204


def test_an_expired_access_token_answers_token_expired(client: FlaskClient, runtime: Runtime,
                                                       ayesha: SignedIn) -> None:
    config = token_config(runtime)
    expired = issue_access_token(config=TokenConfig(config.secret, None, access_ttl=-5, refresh_ttl=60),
                                 citizen_id=ayesha.citizen_id, family_id="f")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401 and response.json["code"] == "token_expired"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_token_already_accepted_still_expires_on_time(client: FlaskClient, runtime: Runtime, ayesha: SignedIn,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    config = token_config(runtime)
    token = issue_access_token(config=TokenConfig(config.secret, None, access_ttl=60, refresh_ttl=60),
                               citizen_id=ayesha.citizen_id, family_id="f")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).json["id"] == ayesha.citizen_id  # verified, remembered
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 61)
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401 and response.json["code"] == "token_expired"


def test_missing_and_forged_tokens_are_refused(client: FlaskClient, runtime: Runtime, ayesha: SignedIn) -> None:
    assert client.get("/api/v1/me").json["code"] == "unauthorized"
    forged = issue_access_token(config=TokenConfig("another-secret", None, 900, 60), citizen_id=ayesha.citizen_id,
                                family_id="f")
    for token in (forged, "not-a-jwt", ayesha.access_token[:-3] + "abc"):
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401 and response.json["code"] == "invalid_token"


def test_tokens_signed_with_the_previous_secret_key_still_work_after_rotation(
        settings: Settings, client: FlaskClient, ayesha: SignedIn) -> None:
    rotated = create_app(settings.model_copy(update={"SECRET_KEY": "a-brand-new-secret-key-2027",
                                                     "SECRET_KEY_PREVIOUS": settings.SECRET_KEY})).test_client()
    assert rotated.get("/api/v1/me", headers=ayesha.headers).json["id"] == ayesha.citizen_id
    refreshed = rotated.post("/api/v1/auth/refresh", json={"refresh_token": ayesha.refresh_token}).json
    dropped = create_app(settings.model_copy(update={"SECRET_KEY": "a-brand-new-secret-key-2027"})).test_client()
    assert dropped.get("/api/v1/me", headers=ayesha.headers).status_code == 401
    new_token = {"Authorization": f"Bearer {refreshed['access_token']}"}
    assert dropped.get("/api/v1/me", headers=new_token).status_code == 200


def test_no_code_token_or_pin_reaches_the_logs(client: FlaskClient, runtime: Runtime, demo: None,
                                               run_jobs: Callable[[], None],
                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="rabta")
    citizen = sign_in(client, runtime, "+923001234567")
    code = last_otp(runtime, "+923001234567")
    client.put("/api/v1/me/pin", headers=citizen.headers, json={"new_pin": "5927", "old_pin": "2468"})
    client.post("/api/v1/auth/refresh", json={"refresh_token": citizen.refresh_token})
    run_jobs()  # the SMS carrying the code is sent (console provider) and logged
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "SMS to" in logged or "sign-in code queued" in logged
    for secret in (code, citizen.access_token, citizen.refresh_token, "5927", "2468", "35202-1234567-2",
                   "3520212345672"):
        assert secret not in logged
