"""GSM 03.38 (GSM-7): what a USSD screen may contain, and how long it really is.

A USSD screen is sent in the GSM 7-bit alphabet; the extension characters
(`^{}\\[~]|€` and form feed) take two septets each. Anything else (Urdu script,
emoji, curly quotes) must be turned into GSM-7 before it reaches a handset.
"""

from __future__ import annotations

import unicodedata

BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSION = "\f^{}\\[~]|€"
_BASIC_SET = frozenset(BASIC)
_EXTENSION_SET = frozenset(EXTENSION)

# Look-alikes that citizens' data (agency names pasted from documents) often carries.
_LOOKALIKES = {
    "‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-", "‐": "-",
    "−": "-", "…": "...", "\u00a0": " ", "\u2009": " ", "\u200b": "", "\t": " ", "•": "-", "·": "-",
    "₨": "Rs",
}


_ALLOWED = _BASIC_SET | _EXTENSION_SET


def is_gsm7(value: str) -> bool:
    return _ALLOWED.issuperset(value)


def septets(value: str) -> int:
    """Length as the network counts it: extension characters take two septets."""
    return len(value) + sum(value.count(ch) for ch in EXTENSION)


def to_gsm7(value: str, replacement: str = "?") -> str:
    """Map `value` into GSM-7: look-alikes replaced, accents stripped, the rest `replacement`."""
    if is_gsm7(value):
        return value
    out: list[str] = []
    for ch in value:
        if ch in _BASIC_SET or ch in _EXTENSION_SET:
            out.append(ch)
        elif ch in _LOOKALIKES:
            out.append(_LOOKALIKES[ch])
        else:
            stripped = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            out.append(stripped if stripped and is_gsm7(stripped) else replacement)
    return "".join(out)
