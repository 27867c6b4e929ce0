"""Tracking numbers of applications: one definition of their format.

New numbers are `DOM-2026-000003-K7QXM`: service code, year, sequence and a random check part of
`CHECK_LENGTH` characters (31^5, about 29 million, per sequence number), so knowing one number tells
nothing about the next: they cannot be enumerated. Numbers issued before the check part existed
(`DOM-2026-000001`) keep working for whoever may see them (visibility is
`app.applications.service.Viewer`); a new number typed without its check part matches nothing.
"""

from __future__ import annotations

import re
import secrets

from app.errors import InvalidTrackingNumber

# No 0/O, 1/I/L: read aloud or typed from an SMS, nothing is ambiguous.
CHECK_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CHECK_LENGTH = 5
# Service code, year, sequence, optional check part; typed in any case, with spaces, dots or no dashes.
TRACKING_PATTERN = re.compile(rf"^([A-Z]{{2,6}})-?(\d{{4}})-?(\d{{6}})(?:-?([A-Z2-9]{{{CHECK_LENGTH}}}))?$")
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
    prefix, year, sequence, check = match.groups()
    return f"{prefix}-{year}-{sequence}" + (f"-{check}" if check else "")


def new_check_part() -> str:
    return "".join(secrets.choice(CHECK_ALPHABET) for _ in range(CHECK_LENGTH))


def format_tracking_number(prefix: str, year: int, sequence: int, check: str | None = None) -> str:
    """`check` None: the pre-check-part format, kept for the demo data and old rows."""
    return f"{prefix}-{year}-{sequence:06d}" + (f"-{check}" if check else "")


def looks_like_tracking_number(text: str) -> bool:
    """Whether a bare text (an SMS with no keyword) is a tracking number."""
    try:
        normalise_tracking_number(text)
    except InvalidTrackingNumber:
        return False
    return True
