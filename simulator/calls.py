"""Simulated USSD calls: what the simulator keeps between hops, and the hop reports it reads back.

A call is a Redis record (phone, when it started, when it was last answered, hops, whether it ended),
kept for an hour. The inputs themselves stay in the browser (it sends the history each hop, as the
network accumulates it): a PIN is never stored here. The USSD gateway reports each hop of a simulator
session (`ussd.gateway.Hop`, the PIN already masked) through `observe`, which parks it for the
simulator server to read right after the real endpoint answered.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from redis import Redis

from ussd.gateway import Hop

SESSION_PREFIX = "ATUid_sim"  # Africa's Talking style session ids; only these are reported to the simulator
_CALL = "rabta:sim:call:"
_HOP = "rabta:sim:hop:"
CALL_SECONDS = 3600
HOP_SECONDS = 120


@dataclass
class Call:
    session_id: str
    phone: str
    started: float
    last: float
    hops: int = 0
    ended: str | None = None  # the status sent in the end-of-session event

    def idle_for(self, now: float) -> float:
        return now - self.last


def new_session_id() -> str:
    return SESSION_PREFIX + secrets.token_hex(12)


def start(redis: Redis, phone: str) -> Call:
    now = time.time()
    call = Call(new_session_id(), phone, now, now)
    save(redis, call)
    return call


def save(redis: Redis, call: Call) -> None:
    redis.set(_CALL + call.session_id, json.dumps(asdict(call)), ex=CALL_SECONDS)


def load(redis: Redis, session_id: str, phone: str) -> Call | None:
    """The call, if this simulator started it for this phone."""
    if not session_id.startswith(SESSION_PREFIX):
        return None
    raw = redis.get(_CALL + session_id)
    if raw is None:
        return None
    try:
        call = Call(**json.loads(raw))
    except (TypeError, ValueError):
        return None
    return call if call.phone == phone else None


def observer(redis: Redis) -> Callable[[Hop], None]:
    """The gateway observer: parks the report of every simulator hop (one SET; other sessions cost nothing)."""

    def observe(hop: Hop) -> None:
        if hop.session_id.startswith(SESSION_PREFIX):
            redis.set(_HOP + hop.session_id, json.dumps(asdict(hop)), ex=HOP_SECONDS)

    return observe


def take_hop(redis: Redis, session_id: str) -> dict[str, Any] | None:
    raw = redis.getdel(_HOP + session_id)
    return json.loads(raw) if raw else None
