"""Checks shared by every provider webhook route."""

from __future__ import annotations

import hmac

from flask import request

from app.runtime import current


def at_token_ok() -> bool:
    """Africa's Talking does not sign callbacks: with AT_WEBHOOK_TOKEN set, every AT webhook
    (USSD and SMS alike) must carry it as `?token=`, compared in constant time."""
    expected = current().settings.AT_WEBHOOK_TOKEN
    if not expected:
        return True
    return hmac.compare_digest(request.args.get("token", "").encode(), expected.encode())
