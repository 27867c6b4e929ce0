"""GSM 03.38 (GSM-7): the one definition of the alphabet a USSD screen and a cheap SMS may use.

GSM-7 carries 160 characters in one SMS and 153 per part once concatenated (the
user-data header takes the rest); the extension characters (`^{}\\[~]|€` and form
feed) cost two septets each (an escape plus the character). Any other character
makes an SMS UCS-2: 70 UTF-16 units, 67 per part. A USSD screen is GSM-7 only, so
anything else (Urdu script, emoji) is turned into GSM-7 before it reaches a handset.

Look-alike punctuation that word processors and translators produce (curly quotes,
long dashes, non-breaking spaces) is folded to its GSM-7 twin by one table.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

GSM7 = "GSM-7"
UCS2 = "UCS-2"

BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSION = "\f^{}\\[~]|€"
_BASIC_SET = frozenset(BASIC)
_EXTENSION_SET = frozenset(EXTENSION)
_ALLOWED = _BASIC_SET | _EXTENSION_SET

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

LOOK_ALIKES: dict[str, str] = {
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "´": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
    "–": "-", "—": "-", "―": "-", "‐": "-", "‑": "-", "−": "-", "•": "-", "·": "-",
    "…": "...", "₨": "Rs",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2002": " ", "\u2003": " ", "\t": " ",
    "\u200b": "", "\ufeff": "",
}
_FOLD = str.maketrans(LOOK_ALIKES)


@dataclass(frozen=True)
class SegmentInfo:
    encoding: str
    segments: int
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2


def is_gsm7(value: str) -> bool:
    return _ALLOWED.issuperset(value)


def septets(value: str) -> int:
    """Length as the network counts it: extension characters take two septets."""
    return len(value) + sum(value.count(ch) for ch in EXTENSION)


def fold_look_alikes(value: str) -> str:
    return value.translate(_FOLD)


def normalise_look_alikes(text: str) -> str:
    """For SMS: swap look-alikes for GSM-7 characters, but only if that makes the whole text GSM-7; a text
    that needs UCS-2 anyway (Urdu script, emoji) keeps its own punctuation."""
    if is_gsm7(text):
        return text
    swapped = fold_look_alikes(text)
    return swapped if is_gsm7(swapped) else text


def to_gsm7(value: str, replacement: str = "?") -> str:
    """For USSD: map `value` into GSM-7: look-alikes folded, accents stripped, anything else `replacement`."""
    if is_gsm7(value):
        return value
    out: list[str] = []
    for ch in fold_look_alikes(value):
        if ch in _ALLOWED:
            out.append(ch)
        else:
            stripped = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            out.append(stripped if stripped and is_gsm7(stripped) else replacement)
    return "".join(out)


def count_segments(text: str) -> SegmentInfo:
    """How many SMS parts `text` costs, and in which encoding."""
    if is_gsm7(text):
        widths = [2 if ch in _EXTENSION_SET else 1 for ch in text]
        return SegmentInfo(GSM7, _parts(widths, GSM7_SINGLE, GSM7_PART), sum(widths))
    # Characters outside the BMP (emoji) take a surrogate pair that must not be split.
    widths = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    return SegmentInfo(UCS2, _parts(widths, UCS2_SINGLE, UCS2_PART), sum(widths))


def _parts(widths: list[int], single: int, per_part: int) -> int:
    total = sum(widths)
    if total <= single:
        return 1
    parts, used = 1, 0
    for width in widths:
        if used + width > per_part:  # an escape pair or surrogate pair never straddles two parts
            parts, used = parts + 1, 0
        used += width
    return parts
