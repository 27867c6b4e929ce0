"""Transaction PINs: stored only as a slow, salted scrypt hash."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

from app.errors import ValidationFailed

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_PIN_PATTERN = re.compile(r"^\d{4}$")
_WEAK_PINS = {"0000", "1111", "2222", "3333", "4444", "5555", "6666", "7777", "8888", "9999", "1234"}


def validate_new_pin(pin: str) -> str:
    if not _PIN_PATTERN.match(pin or ""):
        raise ValidationFailed("A PIN is exactly 4 digits.", field_errors={"pin": "4 digits"})
    if pin in _WEAK_PINS:
        raise ValidationFailed("Choose a PIN that is harder to guess.",
                               field_errors={"pin": "too simple"})
    return pin


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
