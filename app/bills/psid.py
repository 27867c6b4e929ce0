"""The PSID (payment slip id): one definition of what a PSID is and how people type it."""

from __future__ import annotations

import re

from app.errors import InvalidPsid

PSID_LENGTH = 17
# What a citizen or a client may send: the 17 digits, possibly grouped with spaces or dashes.
PSID_INPUT_PATTERN = r"^[0-9][0-9 -]{0,39}$"
_SEPARATORS = re.compile(r"[\s\-]")


def normalise_psid(raw: str) -> str:
    """The 17 digits of a PSID typed with or without spaces and dashes; InvalidPsid otherwise."""
    digits = _SEPARATORS.sub("", raw or "")
    # ASCII only: str.isdigit() also accepts other scripts' digits, which no PSID is stored with.
    if not (digits.isascii() and digits.isdigit()) or len(digits) != PSID_LENGTH:
        raise InvalidPsid("A PSID is 17 digits.")
    return digits


def looks_like_psid(text: str) -> bool:
    """Whether a bare text (an SMS with no keyword) is a PSID."""
    try:
        normalise_psid(text)
    except InvalidPsid:
        return False
    return True
