"""Keeping personal data and secrets out of logs and provider logs: the one set of rules.

Numbers are masked like `app.citizens.identity.mask_msisdn`, CNICs like `mask_cnic`;
secrets (PIN, OTP, PAY code, tokens, keys, passwords, signatures) are replaced
whole. Free text that a citizen typed or that we texted them (an SMS body, the USSD
input history) may hold a code, so every standalone run of 4-8 digits in it is
masked; PSIDs (17 digits), amounts and receipt numbers survive.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from app.citizens.identity import mask_cnic, mask_msisdn

REDACTED = "[redacted]"
MAX_BODY_CHARS = 4000

# Keys (compared lower-case, without _ and -) whose values are secrets.
SECRET_KEYS = frozenset({
    "pin", "newpin", "oldpin", "otp", "code", "paycode", "password", "passwd", "token", "accesstoken",
    "refreshtoken", "apikey", "secret", "secretkey", "signature", "authorization", "auth", "key",
    "tranauthid",
})
# Keys whose values are phone numbers.
NUMBER_KEYS = frozenset({"to", "from", "msisdn", "phonenumber", "phone", "number", "sender", "recipient"})
# Keys whose values are free text that may carry a code.
TEXT_KEYS = frozenset({"body", "text", "message", "input", "reply"})

_PHONE = re.compile(r"(?<![\w+])(\+?92|0092|0)(3\d{2})(\d{4})(\d{3})(?!\d)")
_CNIC = re.compile(r"(?<!\d)(\d{5})-?(\d{7})-?(\d)(?!\d)")
_CODE = re.compile(r"(?<![\d,.])\d{4,8}(?!\d)(?![,.]\d)")


def _squash(key: str) -> str:
    return key.lower().replace("_", "").replace("-", "")


def mask_text(text: str) -> str:
    """Mask phone numbers and CNICs wherever they appear in `text` (a log message, a body)."""
    text = _PHONE.sub(lambda m: f"{m.group(1)}{m.group(2)}****{m.group(4)}", text)
    return _CNIC.sub(lambda m: mask_cnic(m.group(1) + m.group(2) + m.group(3)), text)


def mask_codes(text: str) -> str:
    """Free text a code may hide in: every standalone 4-8 digit run becomes stars."""
    return _CODE.sub(lambda m: "*" * len(m.group()), mask_text(text))


def redact_value(key: str, value: Any) -> Any:
    name = _squash(key)
    if isinstance(value, Mapping):
        return redact_mapping(value)
    if isinstance(value, list):
        return [redact_value(key, item) for item in value]
    if value is None or (isinstance(value, bool | int | float) and name not in SECRET_KEYS | NUMBER_KEYS):
        return value
    if name in SECRET_KEYS:
        return REDACTED
    text = str(value)
    if name in TEXT_KEYS:
        return mask_codes(text)
    if name in NUMBER_KEYS:
        return _mask_number(text)
    return mask_text(text)


def _mask_number(text: str) -> str:
    """A sender or recipient: a phone number (masked) or a short code (kept, it is ours)."""
    digits = re.sub(r"\D", "", text)
    return mask_msisdn(text) if len(digits) >= 7 else mask_text(text)


def redact_mapping(values: Mapping[str, Any]) -> dict[str, Any]:
    return {str(key): redact_value(str(key), value) for key, value in values.items()}


def redact_body(raw: bytes | str | None, content_type: str = "") -> str:
    """A request or response body as kept in the provider log: JSON and forms field by field,
    anything else as masked free text; cut to MAX_BODY_CHARS."""
    if not raw:
        return ""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    redacted = _redact_structured(text, content_type)
    if redacted is None:
        redacted = mask_codes(text)
    return redacted[:MAX_BODY_CHARS]


def _redact_structured(text: str, content_type: str) -> str | None:
    stripped = text.lstrip()
    if "json" in content_type or stripped[:1] in ("{", "["):
        try:
            value = json.loads(text)
        except ValueError:
            return None
        return json.dumps(redact_value("", value) if not isinstance(value, dict) else redact_mapping(value),
                          ensure_ascii=False, separators=(",", ":"))
    if "x-www-form-urlencoded" in content_type:
        return redact_form(parse_qsl(text, keep_blank_values=True))
    return None


def redact_form(pairs: Iterable[tuple[str, str]]) -> str:
    """Form fields (as a web framework already parsed them) redacted field by field, urlencoded, cut to
    MAX_BODY_CHARS: the same as `redact_body` of their encoding, without encoding and parsing them again."""
    return urlencode([(key, redact_value(key, value)) for key, value in pairs], safe="*[]+")[:MAX_BODY_CHARS]


def redact_query(query: str) -> str:
    """A URL's query string with secret parameters (e.g. `?token=`) replaced."""
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(key, redact_value(key, value)) for key, value in pairs], safe="*[]+")
