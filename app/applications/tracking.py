"""Tracking numbers of applications (DOM-2026-000001): one definition of their format."""

from __future__ import annotations

import re

from app.errors import InvalidTrackingNumber

# Service code, year, sequence; people type them in any case, with spaces, dots or no dashes.
TRACKING_PATTERN = re.compile(r"^([A-Z]{2,6})-?(\d{4})-?(\d{6})$")
# What a client may send before normalising.
TRACKING_INPUT_PATTERN = r"^[A-Za-z0-9 _.-]{1,40}$"
_SEPARATORS = re.compile(r"[\s_.\-]+")


def normalise_tracking_number(raw: str) -> str:
    """Accept `dom-2026-000001`, `DOM 2026 000001` or `DOM2026000001`; InvalidTrackingNumber otherwise."""
    text = (raw or "").strip()
    if not text.isascii():
        raise InvalidTrackingNumber("Tracking numbers look like DOM-2026-000001.")
    match = TRACKING_PATTERN.match(_SEPARATORS.sub("-", text.upper()))
    if not match:
        raise InvalidTrackingNumber("Tracking numbers look like DOM-2026-000001.")
    prefix, year, sequence = match.groups()
    return f"{prefix}-{year}-{sequence}"


def format_tracking_number(prefix: str, year: int, sequence: int) -> str:
    return f"{prefix}-{year}-{sequence:06d}"


def looks_like_tracking_number(text: str) -> bool:
    """Whether a bare text (an SMS with no keyword) is a tracking number."""
    try:
        normalise_tracking_number(text)
    except InvalidTrackingNumber:
        return False
    return True
