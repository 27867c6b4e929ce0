"""Capturing exchanges: an HTTP adapter for the `requests` sessions that talk to providers, and the
inbound side called by the web middleware for webhook paths.

The sink is set once per process by `create_app` (`configure(redis)`); before that, or
if Redis fails, capturing does nothing: a provider log must never break a send or a
webhook.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests
from redis import Redis
from requests.adapters import HTTPAdapter

from app import request_id
from app.providerlog.models import INBOUND, OUTBOUND
from app.providerlog.service import Exchange, record
from app.redaction import redact_body, redact_query

log = logging.getLogger("rabta.providerlog")

# Webhook paths and the provider each belongs to (None: the provider is the last path segment).
INBOUND_PATHS: tuple[tuple[str, str | None], ...] = (
    ("/ussd/africastalking", "africastalking"),
    ("/sms/africastalking", "africastalking"),
    ("/sms/twilio", "twilio"),
    ("/payments/callbacks/", None),
    ("/billers/1bill/", "1bill"),
)

_sink: Callable[[Exchange], None] | None = None


def configure(redis: Redis) -> None:
    global _sink
    _sink = lambda exchange: record(redis, exchange)  # noqa: E731


def emit(exchange: Exchange) -> None:
    if _sink is None:
        return
    try:
        _sink(exchange)
    except Exception as exc:  # the log is best effort; the exchange itself already happened
        log.debug("provider log entry dropped: %s", type(exc).__name__)


def inbound_provider(path: str) -> str | None:
    for prefix, provider in INBOUND_PATHS:
        if path.startswith(prefix):
            return provider or path[len(prefix):].split("/", 1)[0] or "unknown"
    return None


def record_inbound(*, provider: str, method: str, path: str, query: str, status: int, elapsed: float,
                   request_body: bytes | str, request_type: str, response_body: bytes, response_type: str) -> None:
    emit(Exchange(
        direction=INBOUND, provider=provider, method=method, path=_path(path, query), status=status,
        elapsed_ms=round(elapsed * 1000), request_body=redact_body(request_body, request_type),
        response_body=redact_body(response_body, response_type), request_id=request_id.current()))


def _path(path: str, query: str) -> str:
    redacted = redact_query(query)
    return f"{path}?{redacted}" if redacted else path


class ProviderLogAdapter(HTTPAdapter):
    """Sends as usual, then records the exchange (or the failure) for `provider`."""

    def __init__(self, provider: str, **kwargs: Any) -> None:
        self.provider = provider
        super().__init__(**kwargs)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        started = time.perf_counter()
        try:
            response = super().send(request, *args, **kwargs)
        except Exception as exc:
            self._emit(request, started, None, b"", "", type(exc).__name__)
            raise
        body = b"" if kwargs.get("stream") else response.content
        self._emit(request, started, response.status_code, body, response.headers.get("Content-Type", ""), None)
        return response

    def _emit(self, request: requests.PreparedRequest, started: float, status: int | None, body: bytes,
              body_type: str, error: str | None) -> None:
        url = urlsplit(request.url or "")
        emit(Exchange(
            direction=OUTBOUND, provider=self.provider, method=request.method or "", path=_path(url.path, url.query),
            status=status, elapsed_ms=round((time.perf_counter() - started) * 1000),
            request_body=redact_body(request.body, request.headers.get("Content-Type", "")),
            response_body=redact_body(body, body_type), error=error, request_id=request_id.current()))


def instrument(session: requests.Session, provider: str) -> requests.Session:
    """Record every call this session makes to `provider` in the provider log (keeping the pool size and
    retries an SDK configured on the adapter it mounted)."""
    current = session.get_adapter("https://")
    kwargs: dict[str, Any] = {}
    if isinstance(current, HTTPAdapter):
        kwargs = {"max_retries": current.max_retries}
        for name in ("pool_connections", "pool_maxsize", "pool_block"):
            if hasattr(current, f"_{name}"):
                kwargs[name] = getattr(current, f"_{name}")
    adapter = ProviderLogAdapter(provider, **kwargs)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
