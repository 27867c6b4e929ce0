"""The Africa's Talking USSD adapter: the only module that knows `CON`/`END` and the `1*2*3` text.

AT posts the whole input history joined by `*` on every hop. We remember, per
session, the length and hash of the text we last answered (and the answer), so the
latest input is exactly what was appended, even when the caller typed `*` inside
it; a repeated delivery of the same text gets the same answer without re-running
the hop (no double PIN attempt).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import re

from flask import Blueprint, Response, request
from redis import RedisError

from app import ratelimit
from app.citizens.identity import mask_msisdn, normalise_msisdn
from app.errors import InvalidPhoneNumber, RateLimited
from app.ratelimit import Limit
from app.redis_batch import Batch
from app.runtime import current
from app.webhook_edge import guard
from app.webhooks import at_token_ok
from ussd.gateway import UssdRequest
from ussd.render import Reply, t
from ussd.store import Record

log = logging.getLogger("rabta.ussd")

bp = Blueprint("ussd", __name__, url_prefix="/ussd")


def _refuse_at_edge(reason: str) -> Response:
    return _plain("END " + t("ussd.end.bad_request", current().settings.DEFAULT_LANGUAGE), 400)


# `text` is the caller's keypress history: garbage in it is answered by the menu ("Invalid choice"), and AT
# repeats the whole history on every hop, so it gets a larger bound than other fields.
guard(bp, respond=_refuse_at_edge, free_text={"text": 32_768})

_SESSION_ID = re.compile(r"^[\x21-\x7e]{1,128}$")
_STATUS = re.compile(r"^[A-Za-z_]{1,32}$")


def _plain(body: str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="text/plain")


def _as_at(reply: Reply) -> str:
    return ("END " if reply.end else "CON ") + reply.text


@bp.post("/africastalking")
def session_callback() -> Response:
    if not at_token_ok():
        log.warning("USSD callback refused: bad token from %s", request.remote_addr)
        return _plain("Forbidden", 403)
    language = current().settings.DEFAULT_LANGUAGE
    session_id = request.form.get("sessionId", "")
    raw_phone = request.form.get("phoneNumber", "")
    text = request.form.get("text") or ""
    if not _SESSION_ID.match(session_id):
        log.warning("USSD callback without a usable sessionId")
        return _plain("END " + t("ussd.end.bad_request", language), 400)
    try:
        phone = normalise_msisdn(raw_phone, current().settings.DEFAULT_REGION)
    except InvalidPhoneNumber:
        log.warning("USSD callback with an unusable phoneNumber (session %s)", session_id)
        return _plain("END " + t("ussd.end.bad_request", language), 400)
    try:
        return _plain(_hop(session_id, phone, text, _limited_record(session_id, phone)))
    except RateLimited:
        log.info("USSD hop over the limit for %s (session %s)", mask_msisdn(phone), session_id[:32])
        return _plain("END " + t("ussd.end.unavailable", language))
    except RedisError:
        log.exception("USSD session store unavailable (session %s)", session_id)
        return _plain("END " + t("ussd.end.unavailable", language))
    except Exception:  # never a 500 to a caller mid-session
        log.exception("USSD hop failed (session %s, %s)", session_id, mask_msisdn(phone))
        return _plain("END " + t("error.generic", language))


def _limited_record(session_id: str, phone: str) -> Record:
    """Count the hop against the limits per number and per session (a script hammering one session, or one
    number opening many) and read the session, in one round trip; RateLimited when over a limit."""
    runtime = current()
    settings = runtime.settings
    limits = [Limit("ussd_number", phone, settings.USSD_HOPS_PER_NUMBER_PER_MINUTE),
              Limit("ussd_session", hashlib.sha256(session_id.encode()).hexdigest()[:32],
                    settings.USSD_HOPS_PER_SESSION_PER_MINUTE)]
    pipe = Batch(runtime.redis)
    ratelimit.queue_hits(pipe, limits)
    runtime.ussd.queue_load(pipe, session_id)
    replies = pipe.execute()
    ratelimit.raise_if_over(limits, ratelimit.totals(limits, replies))
    return runtime.ussd.loaded(replies[-1])


def _digest(value: str) -> str:
    """Keyed: the text holds the caller's PIN, so a plain hash of it could be brute-forced."""
    key = current().settings.SECRET_KEY.encode()
    return hmac.new(key, value.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def _hop(session_id: str, phone: str, text: str, record: Record) -> str:
    gateway = current().ussd
    cursor = _read_cursor(record.channel) if record.state is not None else None
    if cursor is None:
        ussd_request = UssdRequest(session_id, phone, None, lost=text != "")
    else:
        seen, seen_digest, last_reply = cursor
        if len(text) == seen and _digest(text) == seen_digest and last_reply:
            return last_reply  # AT re-delivered a hop we already answered
        ussd_request = UssdRequest(session_id, phone, latest_input(text, seen, seen_digest))
    text_digest = _digest(text)

    def remember(reply: Reply) -> str:
        return json.dumps({"n": len(text), "h": text_digest, "r": _as_at(reply)})

    return _as_at(gateway.handle(ussd_request, record, remember))


def latest_input(text: str, seen: int, seen_digest: str) -> str:
    """What the caller typed since the text we last answered (which was `seen` chars long)."""
    if seen == 0:
        return text
    if len(text) > seen and text[seen] == "*" and _digest(text[:seen]) == seen_digest:
        return text[seen + 1:]
    # The history was rewritten (a gateway quirk): the last segment is the best guess.
    log.warning("USSD text did not extend the previous one; using its last segment")
    return text.rsplit("*", 1)[-1]


def _read_cursor(raw: bytes | str | None) -> tuple[int, str, str] | None:
    if raw is None:
        return None
    try:
        value = json.loads(raw)
        return int(value["n"]), str(value["h"]), str(value.get("r") or "")
    except (ValueError, KeyError, TypeError):
        return None


@bp.post("/africastalking/events")
def session_event() -> Response:
    if not at_token_ok():
        log.warning("USSD event refused: bad token from %s", request.remote_addr)
        return _plain("Forbidden", 403)
    session_id = request.form.get("sessionId", "")
    status = request.form.get("status", "")
    if not _SESSION_ID.match(session_id) or not _STATUS.match(status):
        log.warning("USSD end-of-session event without a usable sessionId/status")
        return _plain("Bad request", 400)
    phone = None
    with contextlib.suppress(InvalidPhoneNumber):  # optional: the session record knows the number
        phone = normalise_msisdn(request.form.get("phoneNumber", ""), current().settings.DEFAULT_REGION)
    gateway = current().ussd
    try:
        recorded = gateway.session_ended(session_id=session_id, status=status, phone=phone)
    except RedisError:
        log.exception("USSD event not recorded: session store unavailable")
        return _plain("Unavailable", 503)
    return _plain("OK" if recorded else "OK (already recorded)")
