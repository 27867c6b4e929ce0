"""`app.idempotency.idempotent_response` against a real Redis (the helper the API uses on POST /api/v1/payments)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask, Response, jsonify
from redis import Redis

from app.idempotency import KEY_TTL_SECONDS, _redis_key, idempotent_response
from app.runtime import Runtime


@pytest.fixture
def redis(runtime: Runtime) -> Redis:
    return runtime.redis


def _created(calls: list[int]) -> Response:
    calls.append(1)
    response = jsonify(reference=f"P{len(calls)}")
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/payments/P{len(calls)}"
    return response


def test_the_same_key_and_body_replays_the_first_response(app: Flask, redis: Redis) -> None:
    calls: list[int] = []
    with app.test_request_context():
        first = idempotent_response(redis=redis, scope="citizen:1", key="k1", body=b'{"psid":"1"}',
                                    handler=lambda: _created(calls))
        again = idempotent_response(redis=redis, scope="citizen:1", key="k1", body=b'{"psid":"1"}',
                                    handler=lambda: _created(calls))
    assert len(calls) == 1
    assert again.status_code == 201 and again.get_json() == first.get_json() == {"reference": "P1"}
    assert again.headers["Location"] == "/api/v1/payments/P1"
    assert again.headers["Idempotent-Replayed"] == "true"
    assert KEY_TTL_SECONDS - 5 <= redis.ttl(_redis_key("citizen:1", "k1")) <= KEY_TTL_SECONDS


def test_the_same_key_with_a_different_body_is_422(app: Flask, redis: Redis) -> None:
    calls: list[int] = []
    with app.test_request_context():
        idempotent_response(redis=redis, scope="citizen:1", key="k2", body=b"a", handler=lambda: _created(calls))
        other = idempotent_response(redis=redis, scope="citizen:1", key="k2", body=b"b",
                                    handler=lambda: _created(calls))
    assert other.status_code == 422 and other.mimetype == "application/problem+json"
    assert len(calls) == 1


def test_a_retry_while_the_first_is_still_running_is_409(app: Flask, redis: Redis) -> None:
    inside, release = threading.Event(), threading.Event()
    results: list[Response] = []

    def slow() -> Response:
        inside.set()
        release.wait(10)
        return jsonify(ok=True)

    def first() -> None:
        with app.test_request_context():
            results.append(idempotent_response(redis=redis, scope="c", key="k3", body=b"x", handler=slow))

    thread = threading.Thread(target=first)
    thread.start()
    inside.wait(10)
    with app.test_request_context():
        retry = idempotent_response(redis=redis, scope="c", key="k3", body=b"x", handler=lambda: jsonify(ok=False))
    release.set()
    thread.join(10)
    assert retry.status_code == 409 and retry.headers["Retry-After"] == "1"
    assert results[0].status_code == 200


def test_keys_are_scoped_per_client(app: Flask, redis: Redis) -> None:
    calls: list[int] = []
    with app.test_request_context():
        idempotent_response(redis=redis, scope="citizen:1", key="same", body=b"x", handler=lambda: _created(calls))
        idempotent_response(redis=redis, scope="citizen:2", key="same", body=b"y", handler=lambda: _created(calls))
    assert len(calls) == 2


def test_server_errors_and_exceptions_are_not_remembered(app: Flask, redis: Redis) -> None:
    def boom() -> Response:
        raise RuntimeError("db down")

    def error() -> Response:
        response = jsonify(error="x")
        response.status_code = 503
        return response

    with app.test_request_context():
        with pytest.raises(RuntimeError):
            idempotent_response(redis=redis, scope="c", key="k4", body=b"x", handler=boom)
        assert idempotent_response(redis=redis, scope="c", key="k4", body=b"x", handler=error).status_code == 503
        ok = idempotent_response(redis=redis, scope="c", key="k4", body=b"x", handler=lambda: jsonify(ok=True))
    assert ok.status_code == 200 and "Idempotent-Replayed" not in ok.headers


@pytest.mark.parametrize("key", ["", "x" * 256, "bad\nkey"])
def test_an_unusable_key_is_400_and_the_request_is_not_run(app: Flask, redis: Redis, key: str) -> None:
    ran: list[bool] = []

    def handler() -> Any:
        ran.append(True)
        return jsonify()

    with app.test_request_context():
        response = idempotent_response(redis=redis, scope="c", key=key, body=b"x", handler=handler)
    assert (response.status_code, response.json["code"]) == (400, "invalid_idempotency_key")
    assert ran == [] and redis.keys("rabta:idempotency:*") == []
