"""Transaction PINs: the one PIN policy (format, when one is asked for), stored only as a slow,
salted scrypt hash. Checking and changing a PIN (with the lockout) is `app.citizens.service`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

from app.errors import ValidationFailed

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
PIN_INPUT_PATTERN = r"^[0-9]{4}$"  # what a PIN looks like on every channel (the API's schema uses it too)
_PIN_PATTERN = re.compile(PIN_INPUT_PATTERN)
_WEAK_PINS = {"0000", "1111", "2222", "3333", "4444", "5555", "6666", "7777", "8888", "9999", "1234"}


PIN_CHANNELS = frozenset({"ussd"})


def looks_like_pin(value: str) -> bool:
    return bool(_PIN_PATTERN.match(value or ""))


def validate_new_pin(pin: str, field: str = "pin") -> str:
    """A PIN is exactly 4 ASCII digits and not one of the first ones a thief would try."""
    if not looks_like_pin(pin):
        raise ValidationFailed("A PIN is exactly 4 digits.", field_errors={field: "4 digits"})
    if pin in _WEAK_PINS:
        raise ValidationFailed("Choose a PIN that is harder to guess.", field_errors={field: "too simple"})
    return pin


def pin_required_to_pay(*, has_pin: bool, channel: str) -> bool:
    """Whether paying on `channel` asks for the transaction PIN.

    USSD does, once the citizen has set one. SMS never carries a PIN (a one-time PAY code texted back
    instead) and the app pays inside a signed-in session; on every channel the payer's wallet asks for
    its own approval on the phone before any money moves."""
    return has_pin and channel in PIN_CHANNELS


def hash_pin(pin: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    salt_b64, digest_b64 = base64.b64encode(salt).decode(), base64.b64encode(digest).decode()
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt_b64}${digest_b64}"


def pin_matches(pin: str, stored: str) -> bool:
    try:
        _scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
        expected = base64.b64decode(digest_b64)
        actual = hashlib.scrypt(
            pin.encode(), salt=base64.b64decode(salt_b64), n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)
