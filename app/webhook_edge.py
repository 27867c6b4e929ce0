"""The one edge check every provider webhook passes before anything else reads it.

Providers (and anyone who can reach a webhook) can send bytes our stores refuse: PostgreSQL
rejects NUL in text and `\\u0000` in JSONB, and a 5,000-character id helps nobody. So every
webhook blueprint (USSD, SMS inbound and delivery reports, wallet callbacks, 1Bill) installs
`guard(bp)`: a request whose query, form, headers or JSON body carry a control character
(other than tab, CR, LF in text), an over-long field, too many fields or invalid UTF-8 is
answered 400 before any route code runs. A 400 tells the provider not to retry (a 5xx would
make it retry the same bytes forever), and nothing of it reaches the database.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Blueprint, Response, request

from app import metrics

log = logging.getLogger("rabta.webhooks")

MAX_FIELD_CHARS = 4096  # a concatenated SMS is at most ~1,600 chars; a USSD history far less
MAX_FIELDS = 64
MAX_HEADER_CHARS = 8192
# C0 controls except TAB/LF/CR, DEL, C1 controls, lone surrogates and the non-characters FFFE/FFFF.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

Responder = Callable[[str], Response]


def plain_refusal(reason: str) -> Response:
    return Response("Bad request", status=400, mimetype="text/plain")


def refusal_reason(*, args: Iterable[tuple[str, str]], form: Iterable[tuple[str, str]],
                   headers: Iterable[tuple[str, str]], body: bytes, is_json: bool,
                   free_text: Mapping[str, int] | None = None) -> str | None:
    """Why this request may not go further, or None. `free_text` names form fields the channel itself
    reads as untrusted keypresses (USSD `text`), with their own length bound: their control characters
    are the channel's to answer (a USSD menu re-prompts "Invalid choice"), so a caller mid-session who
    typed garbage gets a screen, not a dropped session."""
    fields = list(args) + list(form)
    if len(fields) > MAX_FIELDS:
        return "too_many_fields"
    free_text = free_text or {}
    checked = [(name, value) for name, value in fields if name not in free_text]
    if any(len(value) > free_text[name] for name, value in fields if name in free_text):
        return "too_long"
    header_list = list(headers)
    if any(len(name) > 128 or len(value) > MAX_FIELD_CHARS for name, value in checked) or \
            any(len(value) > MAX_HEADER_CHARS for _, value in header_list):
        return "too_long"
    # One search over everything joined (LF is allowed, so it cannot make a false match): a request is
    # clean far more often than not, and one regex call costs less than one per name and value.
    if _FORBIDDEN.search("\n".join(part for pair in checked + header_list for part in pair)):
        return "control_characters"
    if is_json and body:
        return _json_refusal(body)
    return None


def _json_refusal(body: bytes) -> str | None:
    try:
        payload = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        return "bad_encoding"
    except ValueError:
        return None  # not JSON at all: the route answers that in its own words
    return next((reason for reason in _json_strings(payload) if reason), None)


def _json_strings(value: Any, depth: int = 0) -> Iterable[str | None]:
    if depth > 16:
        yield "too_deep"
    elif isinstance(value, str):
        yield "too_long" if len(value) > MAX_FIELD_CHARS else ("control_characters" if _FORBIDDEN.search(value)
                                                             else None)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _json_strings(key, depth + 1)
            yield from _json_strings(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item, depth + 1)


def _check(source: str, respond: Responder, free_text: Mapping[str, int] | None) -> Response | None:
    body = request.get_data(cache=True)
    is_json = request.mimetype == "application/json" or request.mimetype.endswith("+json") or \
        body[:1] in (b"{", b"[")
    form: list[tuple[str, str]] = [] if is_json else list(request.form.items(multi=True))
    reason = refusal_reason(args=request.args.items(multi=True), form=form,
                            headers=request.headers.items(), body=body, is_json=is_json,
                            free_text=free_text)
    if reason is None and not is_json and body and not _utf8(body):
        reason = "bad_encoding"
    if reason is None:
        return None
    metrics.webhook_refused(source, reason)
    log.warning("refused %s at the edge: %s", request.path, reason)
    return respond(reason)


def _utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def guard(bp: Blueprint, *, source: str | None = None, respond: Responder = plain_refusal,
          free_text: Mapping[str, int] | None = None) -> None:
    """Run the edge check before every view of a webhook blueprint."""
    name = source or bp.name

    def edge_check() -> Response | None:
        return _check(name, respond, free_text)

    bp.before_request(edge_check)
