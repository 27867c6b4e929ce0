"""Checks shared by every provider webhook route."""

from __future__ import annotations

import hmac
from typing import Any

from flask import request

from app import metrics
from app.runtime import current
from app.settings import Settings

# The header alternative to `?token=` (a header stays out of access logs and proxies' URL logs).
AT_TOKEN_HEADER = "X-Rabta-Token"


def at_token_refusal(args: Any, headers: Any, settings: Settings) -> str | None:
    """Why an Africa's Talking webhook is refused, or None. AT does not sign callbacks: with
    AT_WEBHOOK_TOKEN set, every AT webhook (USSD and SMS alike) must carry it, as the `X-Rabta-Token`
    header or as `?token=`, compared in constant time; unset, nothing is checked. With
    AT_WEBHOOKS_ENABLED off, every one is refused."""
    if not settings.AT_WEBHOOKS_ENABLED:
        return "disabled"
    expected = settings.AT_WEBHOOK_TOKEN
    if not expected:
        return None
    given = str(headers.get(AT_TOKEN_HEADER) or args.get("token", ""))
    return None if hmac.compare_digest(given.encode(), expected.encode()) else "bad_token"


def at_token_ok() -> bool:
    """The check for the request being handled; a refusal is counted (a security signal)."""
    refusal = at_token_refusal(request.args, request.headers, current().settings)
    if refusal is not None:
        metrics.webhook_refused("africastalking", refusal)
    return refusal is None
