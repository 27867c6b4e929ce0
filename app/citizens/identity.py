"""Normalising the identifiers citizens type: mobile numbers and CNICs."""

from __future__ import annotations

import functools
import re

import phonenumbers

from app.errors import InvalidCnic, InvalidPhoneNumber

CNIC_DIGITS = 13
# ASCII digits only: other scripts' digits would be stored as a different CNIC.
_CNIC_PATTERN = re.compile(r"^[0-9]{5}-?[0-9]{7}-?[0-9]$")


@functools.lru_cache(maxsize=8192)
def normalise_msisdn(raw: str, region: str = "PK") -> str:
    """Return the E.164 form of a mobile number typed in any local or international style.

    Accepts `03001234567`, `923001234567`, `+92 300 1234567`, `0092 300 1234567`. Cached: every USSD hop,
    inbound SMS and lookup repeats the same few numbers, and parsing one is the costliest pure step of a
    request (an invalid number raises, and exceptions are not cached).
    """
    text = (raw or "").strip()
    if not text or len(text) > 32:
        raise InvalidPhoneNumber("Enter a mobile number such as 03001234567.")
    if text.startswith("00"):
        text = "+" + text[2:]
    digits_only = re.sub(r"[\s\-().]", "", text)
    country_code = phonenumbers.country_code_for_region(region)
    if digits_only.isdigit() and digits_only.startswith(str(country_code)) and len(digits_only) > 10:
        digits_only = "+" + digits_only
    try:
        parsed = phonenumbers.parse(digits_only, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber("Enter a mobile number such as 03001234567.") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumber("That mobile number is not valid.")
    number_type = phonenumbers.number_type(parsed)
    if number_type not in (phonenumbers.PhoneNumberType.MOBILE,
                           phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise InvalidPhoneNumber("That is not a mobile number.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalise_cnic(raw: str) -> str:
    """Return a CNIC as its 13 digits, accepting `XXXXX-XXXXXXX-X` with or without dashes."""
    text = re.sub(r"\s", "", raw or "")
    if not _CNIC_PATTERN.match(text):
        raise InvalidCnic("Enter a CNIC as 13 digits, like 35202-1234567-2.")
    digits = text.replace("-", "")
    if digits[0] == "0":
        raise InvalidCnic("A CNIC does not start with 0.")
    return digits


def format_cnic(digits: str) -> str:
    return f"{digits[:5]}-{digits[5:12]}-{digits[12:]}"


def mask_cnic(digits: str | None) -> str:
    """The only form of a CNIC that may appear in logs or on screens of others: last 4 digits."""
    if not digits:
        return ""
    return f"*****-****{digits[-4:-1]}-{digits[-1]}"


def mask_msisdn(msisdn: str | None) -> str:
    if not msisdn:
        return ""
    return msisdn[:6] + "*" * max(len(msisdn) - 9, 0) + msisdn[-3:]
