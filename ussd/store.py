"""USSD sessions in Redis, and the snapshot a cut-off caller can resume from.

One JSON value per session (`rabta:ussd:s:<sessionId>`, TTL = the AT session length).
While a caller is mid-journey a snapshot of where they are is kept per number
(`rabta:ussd:resume:<msisdn>`); it is dropped when they finish, go home or start
again. Only when AT reports the session ended `Incomplete` (or `Failed`) is it
marked cut off and offered to the next call, for the resume window. A value that
does not parse is treated as absent: a corrupt or flushed store means "start
again", never an error.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, fields
from typing import Any

from redis import Redis

from app.redis_batch import Batch
from ussd.engine import State
from ussd.screens import HOME, RESUME, SCREENS, Prompt, is_visible

log = logging.getLogger("rabta.ussd")

PREFIX = "rabta:ussd"


def session_key(session_id: str) -> str:
    return f"{PREFIX}:s:{session_id}"


def resume_key(phone: str) -> str:
    return f"{PREFIX}:resume:{phone}"


@dataclass(frozen=True)
class Record:
    """What one GET returns: the engine's state and the channel adapter's own opaque bookkeeping."""

    state: State | None
    channel: str | None


def dumps(state: State, channel: str | None = None) -> str:
    # Shallow on purpose (asdict deep-copies every hop): the values are JSON types already.
    value = {f.name: getattr(state, f.name) for f in fields(state)}
    return json.dumps({"s": value, "c": channel}, separators=(",", ":"))


def loads(raw: bytes | str | None) -> Record:
    if raw is None:
        return Record(None, None)
    try:
        record = json.loads(raw)
        channel = record.get("c")
        value = record["s"]
        error = value.get("error")
        state = State(**{**value, "stack": tuple(value.get("stack") or ()),
                         "error": (error[0], dict(error[1])) if error else None})
    except (TypeError, ValueError, KeyError, IndexError, AttributeError):
        log.warning("unreadable USSD session record dropped")
        return Record(None, None)
    if state.screen not in SCREENS or not isinstance(state.data, dict):
        return Record(None, None)
    return Record(state, channel if isinstance(channel, str) else None)


def load(redis: Redis, session_id: str) -> Record:
    return loads(redis.get(session_key(session_id)))


def load_snapshot(redis: Redis, phone: str, *, not_session: str, cut_off_only: bool = True) -> dict[str, Any] | None:
    """The saved journey of this number's previous session (by default only once AT said it was cut off)."""
    raw = redis.get(resume_key(phone))
    try:
        snapshot = json.loads(raw) if raw else None
    except ValueError:
        return None
    if not isinstance(snapshot, dict) or snapshot.get("session_id") == not_session:
        return None
    if cut_off_only and not snapshot.get("cut_off"):
        return None
    return snapshot


def snapshot_of(state: State) -> dict[str, Any] | None:
    """What a resumed session restores: visible position and data, minus anything transient."""
    if state.ended or state.screen in (HOME, RESUME) or not is_visible(state.screen):
        return None
    screen = SCREENS[state.screen]
    at = screen.resume_to if isinstance(screen, Prompt) and screen.resume_to else state.screen
    stack = list(state.stack)
    while stack and stack[-1] == at:
        stack.pop()
    data = {key: value for key, value in state.data.items() if not key.startswith("_")}
    return {"session_id": state.session_id, "screen": at, "stack": stack, "data": data}


def save(pipe: Batch, state: State, *, channel: str | None, ttl: int, resume_window: int) -> None:
    """Queue the writes for this hop on `pipe` (one round trip with the funnel counters)."""
    pipe.set(session_key(state.session_id), dumps(state, channel), ex=ttl)
    if state.screen == RESUME:
        return  # the caller is being offered the old snapshot: keep it
    snapshot = snapshot_of(state)
    if snapshot is None:
        pipe.delete(resume_key(state.phone))
    else:
        # Long enough to outlive the session; the end-of-session event trims it to the window.
        pipe.set(resume_key(state.phone), json.dumps(snapshot, separators=(",", ":")), ex=ttl + resume_window)


def session_ended(redis: Redis, state: State | None, phone: str | None, *, completed: bool,
                  resume_window: int) -> None:
    """AT says the session is over: forget the snapshot if it completed, else mark it resumable for the window."""
    number = state.phone if state else phone
    if not number:
        return
    key = resume_key(number)
    snapshot = load_snapshot(redis, number, not_session="", cut_off_only=False)
    if snapshot is None or (state and snapshot.get("session_id") != state.session_id):
        return
    if completed:
        redis.delete(key)
    else:
        snapshot["cut_off"] = True
        redis.set(key, json.dumps(snapshot, separators=(",", ":")), ex=resume_window)
