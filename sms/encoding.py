"""SMS encoding: which alphabet a text needs and how many parts it costs.

GSM-7 carries 160 characters in one message and 153 per part once concatenated
(the user-data header takes the rest); the extension characters cost two septets
(an escape plus the character). Any other character switches the whole message to
UCS-2: 70 UTF-16 units, 67 per part. Look-alike punctuation that word processors
and translators produce (curly quotes, long dashes) is replaced by its GSM-7 twin
when that is all that stands between a text and GSM-7.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM7 = "GSM-7"
UCS2 = "UCS-2"

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

LOOK_ALIKES = str.maketrans({
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "´": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
    "–": "-", "—": "-", "―": "-", "‐": "-", "‑": "-", "−": "-",
    "…": "...", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2002": " ", "\u2003": " ", "\t": " ",
    "\u200b": "", "\ufeff": "",
})


@dataclass(frozen=True)
class SegmentInfo:
    encoding: str
    segments: int
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def normalise_look_alikes(text: str) -> str:
    """Swap look-alikes for GSM-7 characters, but only if that makes the whole text GSM-7;
    a text that needs UCS-2 anyway (Urdu script, emoji) keeps its own punctuation."""
    if is_gsm7(text):
        return text
    swapped = text.translate(LOOK_ALIKES)
    return swapped if is_gsm7(swapped) else text


def count_segments(text: str) -> SegmentInfo:
    if is_gsm7(text):
        widths = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
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
