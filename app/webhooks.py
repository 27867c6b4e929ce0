"""Checks shared by every provider webhook route."""

from __future__ import annotations

import hmac
from typing import Any

from flask import request

from app.runtime import current


def at_token_matches(args: Any, headers: Any, expected: str | None) -> bool:
    """Africa's Talking does not sign callbacks: with AT_WEBHOOK_TOKEN set, every AT webhook (USSD and
    SMS alike) must carry it as `?token=`, compared in constant time. Unset, nothing is checked."""
    if not expected:
        return True
    return hmac.compare_digest(args.get("token", "").encode(), expected.encode())


def at_token_ok() -> bool:
    """`at_token_matches` for the request being handled."""
    return at_token_matches(request.args, request.headers, current().settings.AT_WEBHOOK_TOKEN)
