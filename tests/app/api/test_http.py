"""HTTP behaviour every API endpoint shares: problems, limits, headers, CORS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.runtime import Runtime
from app.settings import Settings
from tests.fixtures.api import SignedIn, sign_in


@pytest.fixture
def strict_app(settings: Settings, runtime: Runtime) -> Iterator[Flask]:
    """Low limits and two allowed browser origins (after `runtime` has reset the DB and Redis)."""
    flask_app = create_app(settings.model_copy(update={
        "API_RATE_LIMIT_PER_MINUTE": 5, "API_IP_RATE_LIMIT_PER_MINUTE": 8,
        "CORS_ORIGINS": "https://app.rabta.pk, https://admin.rabta.pk"}))
    with flask_app.app_context():
        yield flask_app
    flask_app.extensions["rabta"].db.dispose()


def test_malformed_json_is_a_400_problem(client: FlaskClient) -> None:
    response = client.post("/api/v1/auth/otp", data=b'{"msisdn": ', content_type="application/json")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "malformed_json"


def test_a_body_that_is_not_an_object_is_a_field_error(client: FlaskClient) -> None:
    response = client.post("/api/v1/auth/otp", json=["03001234567"])
    assert response.status_code == 422 and response.json["errors"].keys() == {"body"}


def test_a_body_that_is_not_json_is_415(client: FlaskClient) -> None:
    response = client.post("/api/v1/auth/otp", data="msisdn=03001234567",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and response.mimetype == "application/problem+json"


def test_bodies_over_64_kb_are_refused_with_413(client: FlaskClient) -> None:
    big = b'{"msisdn": "' + b"3" * (64 * 1024) + b'"}'
    response = client.post("/api/v1/auth/otp", data=big, content_type="application/json")
    assert response.status_code == 413
    assert response.json["code"] == "request_entity_too_large"
    urdu = client.post("/api/v1/auth/otp", data=big, content_type="application/json",
                       headers={"Accept-Language": "ur"})
    assert urdu.json["detail"] == "درخواست بہت بڑی ہے (زیادہ سے زیادہ 64 KB)۔"


def test_problems_are_localised_but_codes_stay_stable(client: FlaskClient) -> None:
    english = client.get("/api/v1/me")
    urdu = client.get("/api/v1/me", headers={"Accept-Language": "ur-PK,ur;q=0.9,en;q=0.5"})
    assert english.json["code"] == urdu.json["code"] == "unauthorized"
    assert urdu.json["detail"] == "براہ کرم سائن ان کریں۔" and english.json["detail"] != urdu.json["detail"]
    missing = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "ur"})
    assert missing.status_code == 404 and missing.json["detail"] == "نہیں ملا۔"


def test_field_errors_name_each_bad_field(client: FlaskClient) -> None:
    response = client.post("/api/v1/auth/token", json={"otp": "12ab", "extra": True})
    assert response.status_code == 422
    assert response.json["errors"] == {"msisdn": "required", "otp": "invalid format", "extra": "unknown field"}


def test_api_responses_carry_security_headers(client: FlaskClient) -> None:
    response = client.get("/api/v1/services")
    for name, value in {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
                        "Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
                        "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'"}.items():
        assert response.headers[name] == value
    assert "script-src 'self'" in client.get("/docs").headers["Content-Security-Policy"]
    health = client.get("/healthz").headers
    assert health["X-Frame-Options"] == "DENY", "every response gets the security headers"
    assert "default-src 'self'" in health["Content-Security-Policy"], "pages outside the API get the page policy"


def test_cors_allows_only_configured_origins(strict_app: Flask) -> None:
    client = strict_app.test_client()
    allowed = client.get("/api/v1/services", headers={"Origin": "https://app.rabta.pk"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.rabta.pk"
    assert "Origin" in allowed.headers["Vary"]
    denied = client.get("/api/v1/services", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in denied.headers
    preflight = client.options("/api/v1/payments", headers={
        "Origin": "https://admin.rabta.pk", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, idempotency-key"})
    assert preflight.status_code == 200
    assert "Idempotency-Key" in preflight.headers["Access-Control-Allow-Headers"]
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


def test_no_cors_without_configured_origins(client: FlaskClient) -> None:
    response = client.get("/api/v1/services", headers={"Origin": "https://app.rabta.pk"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_token_over_its_limit_gets_429_with_retry_after(strict_app: Flask, demo: None) -> None:
    client = strict_app.test_client()
    citizen: SignedIn = sign_in(client, strict_app.extensions["rabta"], "+923001234567")
    statuses = [client.get("/api/v1/me", headers=citizen.headers).status_code for _ in range(6)]
    assert statuses.count(429) >= 1 and statuses[0] == 200
    limited = client.get("/api/v1/me", headers=citizen.headers)
    assert limited.status_code == 429 and limited.json["code"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60


def test_an_ip_over_its_limit_gets_429_even_without_a_token(strict_app: Flask) -> None:
    client = strict_app.test_client()
    statuses = [client.get("/api/v1/services").status_code for _ in range(9)]
    assert statuses[:8] == [200] * 8 and statuses[8] == 429


def test_rate_limits_are_kept_in_redis_per_window(strict_app: Flask) -> None:
    runtime: Runtime = strict_app.extensions["rabta"]
    strict_app.test_client().get("/api/v1/services")
    keys = [k.decode() for k in runtime.redis.scan_iter("rabta:rl:api_*")]
    assert len(keys) == 1 and keys[0].startswith("rabta:rl:api_ip:")
    assert 0 < runtime.redis.ttl(keys[0]) <= 65
