"""Capturing exchanges: an HTTP adapter for the `requests` sessions that talk to providers, and the
inbound side called by the web middleware for webhook paths.

The sink is set once per process by `create_app` (`configure(redis)`). Entries wait in
memory and a background thread pushes them to Redis in batches (every
`PUSH_INTERVAL_SECONDS`, and at exit), so a USSD hop pays no extra Redis round trip.
Before `configure`, or if Redis fails, capturing drops entries: a provider log must
never break a send or a webhook.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections import deque
from typing import Any
from urllib.parse import urlsplit

import requests
from redis import Redis
from requests.adapters import HTTPAdapter

from app import request_id
from app.providerlog.models import INBOUND, OUTBOUND
from app.providerlog.service import Exchange, record_many
from app.redaction import redact_body, redact_form, redact_query

log = logging.getLogger("rabta.providerlog")

# Webhook paths and the provider each belongs to (None: the provider is the last path segment).
INBOUND_PATHS: tuple[tuple[str, str | None], ...] = (
    ("/ussd/africastalking", "africastalking"),
    ("/sms/africastalking", "africastalking"),
    ("/sms/twilio", "twilio"),
    ("/payments/callbacks/", None),
    ("/billers/1bill/", "1bill"),
)

PUSH_INTERVAL_SECONDS = 0.5
MAX_PENDING = 10_000  # if Redis is away for long, keep the newest


class _Pusher:
    """Per process: entries wait in a deque; a daemon thread pushes them to Redis in batches."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.pending: deque[Exchange] = deque(maxlen=MAX_PENDING)
        self.pid = 0
        self.lock = threading.Lock()

    def add(self, exchange: Exchange) -> None:
        self.pending.append(exchange)
        if self.pid != os.getpid():  # first entry in this process (or after a fork): start its thread
            with self.lock:
                if self.pid != os.getpid():
                    self.pid = os.getpid()
                    threading.Thread(target=self._run, name="rabta-providerlog", daemon=True).start()

    def _run(self) -> None:
        while True:
            time.sleep(PUSH_INTERVAL_SECONDS)
            self.push()

    def push(self) -> None:
        batch: list[Exchange] = []
        while True:  # the thread and a flush() may drain at once: popleft is atomic, len() then pop is not
            try:
                batch.append(self.pending.popleft())
            except IndexError:
                break
        if not batch:
            return
        try:
            record_many(self.redis, batch)
        except Exception as exc:  # the log is best effort; the exchanges themselves already happened
            log.debug("%d provider log entries dropped: %s", len(batch), type(exc).__name__)


_pusher: _Pusher | None = None


def configure(redis: Redis) -> None:
    global _pusher
    if _pusher is not None:
        _pusher.push()
    _pusher = _Pusher(redis)


def flush() -> None:
    """Push what this process has captured now (tests, the CLI, process exit)."""
    if _pusher is not None:
        _pusher.push()


atexit.register(flush)


def emit(exchange: Exchange) -> None:
    if _pusher is not None:
        _pusher.add(exchange)


def inbound_provider(path: str) -> str | None:
    for prefix, provider in INBOUND_PATHS:
        if path.startswith(prefix):
            return provider or path[len(prefix):].split("/", 1)[0] or "unknown"
    return None


def record_inbound(*, provider: str, method: str, path: str, query: str, status: int, elapsed: float,
                   request_body: bytes | str | list[tuple[str, str]], request_type: str, response_body: bytes,
                   response_type: str) -> None:
    """`request_body` may be a form's parsed fields (the web framework parsed them already)."""
    body = redact_form(request_body) if isinstance(request_body, list) else redact_body(request_body, request_type)
    emit(Exchange(
        direction=INBOUND, provider=provider, method=method, path=_path(path, query), status=status,
        elapsed_ms=round(elapsed * 1000), request_body=body,
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
