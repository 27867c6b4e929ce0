"""Checks shared by every provider webhook route."""

from __future__ import annotations

import hmac

from flask import request

from app import metrics
from app.runtime import current


def at_token_ok() -> bool:
    """Africa's Talking does not sign callbacks: with AT_WEBHOOK_TOKEN set, every AT webhook
    (USSD and SMS alike) must carry it as `?token=`, compared in constant time. With
    AT_WEBHOOKS_ENABLED off, every AT webhook is refused."""
    settings = current().settings
    if not settings.AT_WEBHOOKS_ENABLED:
        metrics.webhook_refused("africastalking", "disabled")
        return False
    expected = settings.AT_WEBHOOK_TOKEN
    if not expected:
        return True
    if hmac.compare_digest(request.args.get("token", "").encode(), expected.encode()):
        return True
    metrics.webhook_refused("africastalking", "bad_token")
    return False
