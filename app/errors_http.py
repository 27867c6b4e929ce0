"""Errors as `application/problem+json` (RFC 9457) for every HTTP route.

Channel blueprints that must answer in their own format (USSD text, TwiML) catch
domain errors themselves; anything that escapes lands here and is still JSON.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, json, request
from redis import RedisError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from app.errors import DomainError, RateLimited, ServiceUnavailable, ValidationFailed
from app.messages import has, text

log = logging.getLogger("rabta.http")

PROBLEM_JSON = "application/problem+json"


def problem(status: int, code: str, title: str, detail: str, **extra: Any) -> Response:
    body = {"type": f"about:blank#{code}", "title": title, "status": status, "code": code, "detail": detail}
    body.update(extra)
    return Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)


def request_language() -> str:
    """The best of our languages for the caller's Accept-Language (default English)."""
    best = request.accept_languages.best_match(["en", "ur", "ur-Latn"], default="en")
    return best or "en"


def domain_problem(error: DomainError) -> Response:
    language = request_language()
    detail = text(error.message_key, language) if language != "en" else error.detail
    extra: dict[str, Any] = {}
    if isinstance(error, ValidationFailed) and error.field_errors:
        extra["errors"] = error.field_errors
    response = problem(error.http_status, error.code, error.code.replace("_", " ").capitalize(), detail, **extra)
    if isinstance(error, RateLimited | ServiceUnavailable):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def is_outage(error: Exception) -> bool:
    """Redis or the database did not answer (as opposed to a bug): worth a 503 and a retry, not a 500."""
    if isinstance(error, ServiceUnavailable | RedisConnectionError | RedisTimeoutError):
        return True
    return isinstance(error, DBAPIError) and (error.connection_invalidated or isinstance(error, OperationalError))


def unavailable() -> Response:
    return domain_problem(ServiceUnavailable("A service we depend on is unavailable; try again shortly."))


def internal_error() -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return problem(500, "internal_error", "Internal error", "Something went wrong on our side.")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> Response:
        return domain_problem(error)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        code = (error.name or "error").lower().replace(" ", "_")
        language, key = request_language(), f"error.http_{error.code}"
        detail = text(key, language) if language != "en" and has(key) else error.description or error.name
        response = problem(error.code or 500, code, error.name, detail)
        if error.code == 405 and error.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
        return response

    @app.errorhandler(RedisError)
    @app.errorhandler(DBAPIError)
    def _outage(error: Exception) -> Response:
        # Every web route that needs Redis or the database (the API, SMS webhooks) answers an outage with
        # 503 + Retry-After: the provider retries later and the app can say "try again"; a 500 loses it.
        if not is_outage(error):
            return internal_error()
        log.warning("unavailable on %s %s: %s", request.method, request.path, type(error).__name__)
        return unavailable()

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        return internal_error()
