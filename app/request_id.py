"""The request id: one per incoming request, carried into every job it enqueues and every log line.

A context variable, so it follows the request (or the job) through threads of a
gunicorn worker and through the service calls without being passed around.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

HEADER = "X-Request-ID"
_CURRENT: ContextVar[str | None] = ContextVar("rabta_request_id", default=None)
# What we accept from a trusted proxy: printable, no spaces, bounded (it ends up in every log line).
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:@/+=-]{8,128}$")


def current() -> str | None:
    return _CURRENT.get()


def new() -> str:
    return uuid.uuid4().hex


def acceptable(value: str | None) -> bool:
    return bool(value) and bool(_ACCEPTABLE.match(value or ""))


@contextmanager
def bound(request_id: str | None) -> Iterator[str | None]:
    """Make `request_id` current for the duration of the block (a job, a request)."""
    token = _CURRENT.set(request_id)
    try:
        yield request_id
    finally:
        _CURRENT.reset(token)


def continue_from(upstream: str | None) -> None:
    """A verified provider callback that carries the request id of our call that caused it (the sandbox
    wallet echoes it) continues that trace: the rest of this request and its jobs log under it."""
    if acceptable(upstream):
        _CURRENT.set(upstream)


def set_current(request_id: str | None) -> Token[str | None]:
    return _CURRENT.set(request_id)


def reset(token: Token[str | None]) -> None:
    _CURRENT.reset(token)
