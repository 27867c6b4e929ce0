"""Cross-cutting HTTP behaviour of the API: rate limits, CORS, its stricter Content-Security-Policy.

Rate limits (`app.ratelimit`) are fixed one-minute windows in Redis, per client IP and per
credential (a hash of the bearer string, so even a junk token is limited), checked in one
round trip before the view runs.
"""

from __future__ import annotations

import hashlib

from flask import Flask, Response, request

from app import ratelimit
from app.api.auth import RevocationCheck, bearer_token
from app.ratelimit import Limit
from app.runtime import current

WINDOW_SECONDS = 60
API_PREFIX = "/api/"
DOC_PATHS = ("/docs", "/openapi.json")
ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key, Accept-Language"
ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
EXPOSED_HEADERS = "Retry-After, Location"
API_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


def _is_api(path: str) -> bool:
    return path.startswith(API_PREFIX)


def _is_ours(path: str) -> bool:
    return _is_api(path) or path in DOC_PATHS or path.startswith("/docs/")


def enforce_rate_limits() -> None:
    """`before_request` for the API blueprint; CORS preflights are not counted. With Redis down the limits
    fail open for `RATE_LIMIT_FAIL_OPEN_SECONDS`, so endpoints that need no Redis keep answering."""
    if request.method == "OPTIONS":
        return
    runtime = current()
    settings = runtime.settings
    limits = [Limit("api_ip", request.remote_addr or "-", settings.API_IP_RATE_LIMIT_PER_MINUTE, WINDOW_SECONDS)]
    token = bearer_token()
    revocation = None
    if token:
        digest = hashlib.sha256(token.encode()).hexdigest()[:32]
        limits.append(Limit("api_cred", digest, settings.API_RATE_LIMIT_PER_MINUTE, WINDOW_SECONDS))
        revocation = RevocationCheck.of(token)
    replies = ratelimit.enforce_or_fail_open(runtime.redis, limits,
                                             fail_open_seconds=settings.RATE_LIMIT_FAIL_OPEN_SECONDS,
                                             along=revocation.queue if revocation else None)
    if revocation is not None and replies:
        revocation.answered(replies[0])


def add_headers(response: Response) -> Response:
    """`after_request` for the whole app, acting only on the API and its docs (the headers every response
    gets are added app-wide by `app.security_headers`)."""
    path = request.path
    if not _is_ours(path):
        return response
    headers = response.headers
    headers.setdefault("Content-Security-Policy", API_CSP if _is_api(path) or path == "/openapi.json" else DOCS_CSP)
    if _is_api(path):
        headers.setdefault("Cache-Control", "no-store")
        if response.status_code == 401:
            headers.setdefault("WWW-Authenticate", 'Bearer realm="rabta"')
        _add_cors(response)
    return response


def _add_cors(response: Response) -> None:
    origin = request.headers.get("Origin")
    allowed = current().settings.cors_origins
    if not origin or not ("*" in allowed or origin in allowed):
        return
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers.add("Vary", "Origin")
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = "600"


def install(app: Flask) -> None:
    app.after_request(add_headers)
