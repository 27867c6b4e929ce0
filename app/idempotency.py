"""`Idempotency-Key` for API clients (Stripe / IETF draft semantics), kept in Redis.

- same scope + key + body: the stored response is replayed (header `Idempotent-Replayed: true`);
- same key, different body: 422;
- the same key again while the first request is still running: 409;
- keys are kept 24 hours. Server errors (5xx) are not stored, so the client may retry them.

A crashed request leaves its "running" marker only `RUNNING_TTL_SECONDS`, not a day.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import Any

from flask import Response
from redis import Redis

from app import metrics
from app.errors_http import problem

KEY_TTL_SECONDS = 24 * 3600
RUNNING_TTL_SECONDS = 120
MAX_KEY_LENGTH = 255
REPLAYED_HEADER = "Idempotent-Replayed"
# Per-response headers that must not be replayed verbatim.
_SKIPPED_HEADERS = {"content-length", "date", "set-cookie", "server"}


def _redis_key(scope: str, key: str) -> str:
    digest = hashlib.sha256(f"{scope}\x00{key}".encode()).hexdigest()
    return f"rabta:idempotency:{digest}"


def idempotent_response(*, redis: Redis, scope: str, key: str, body: bytes,
                        handler: Callable[[], Response]) -> Response:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        return problem(400, "invalid_idempotency_key", "Invalid Idempotency-Key",
                       f"An Idempotency-Key is 1 to {MAX_KEY_LENGTH} printable characters.")
    storage_key = _redis_key(scope, key)
    fingerprint = hashlib.sha256(body).hexdigest()
    claimed = redis.set(storage_key, json.dumps({"state": "running", "fingerprint": fingerprint}),
                        nx=True, ex=RUNNING_TTL_SECONDS)
    if not claimed:
        return _answer_repeat(redis.get(storage_key), fingerprint, redis, scope, key, body, handler)
    try:
        response = handler()
    except BaseException:
        redis.delete(storage_key)  # nothing was answered: let the client try again
        raise
    if response.status_code >= 500:
        redis.delete(storage_key)
    else:
        redis.set(storage_key, json.dumps(_stored(response, fingerprint)), ex=KEY_TTL_SECONDS)
    return response


def _answer_repeat(raw: Any, fingerprint: str, redis: Redis, scope: str, key: str, body: bytes,
                   handler: Callable[[], Response]) -> Response:
    if raw is None:  # expired between our SET and GET: treat as new
        return idempotent_response(redis=redis, scope=scope, key=key, body=body, handler=handler)
    record = json.loads(raw)
    if record.get("fingerprint") != fingerprint:
        metrics.count_idempotency("body_mismatch")
        return problem(422, "idempotency_key_reused", "Idempotency-Key reused",
                       "This Idempotency-Key was used with a different request body.")
    if record.get("state") == "running":
        metrics.count_idempotency("in_progress")
        response = problem(409, "idempotency_in_progress", "Request in progress",
                           "A request with this Idempotency-Key is still being processed. Retry shortly.")
        response.headers["Retry-After"] = "1"
        return response
    metrics.count_idempotency("replayed")
    return _replay(record)


def _stored(response: Response, fingerprint: str) -> dict[str, Any]:
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _SKIPPED_HEADERS]
    return {"state": "done", "fingerprint": fingerprint, "status": response.status_code, "headers": headers,
            "body": base64.b64encode(response.get_data()).decode()}


def _replay(record: dict[str, Any]) -> Response:
    response = Response(base64.b64decode(record["body"]), status=int(record["status"]))
    response.headers.clear()
    for name, value in record["headers"]:
        response.headers.add(name, value)
    response.headers[REPLAYED_HEADER] = "true"
    return response
