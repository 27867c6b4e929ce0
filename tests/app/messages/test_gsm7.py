"""Segment counts for known English, Roman Urdu and Urdu texts, and the GSM-7 edge cases."""

from __future__ import annotations

import pytest

from app.messages import text
from app.messages.gsm7 import count_segments, normalise_look_alikes


@pytest.mark.parametrize(("body", "encoding", "segments", "units"), [
    ("Rabta: application DOM-2026-000001 (Domicile certificate) is now Approved. Wait for collection notice.",
     "GSM-7", 1, None),
    ("Rabta: darkhwast DOM-2026-000001 (Domicile certificate) ab Manzoor hai. Wasooli ki ittila ka intezar karein.",
     "GSM-7", 1, None),
    ("رابطہ: درخواست DOM-2026-000001 اب منظور ہے۔", "UCS-2", 1, None),
    ("رابطہ: درخواست DOM-2026-000001 (ڈومیسائل سرٹیفکیٹ) اب منظور ہے۔ وصولی کی اطلاع کا انتظار کریں۔",
     "UCS-2", 2, None),
    ("a" * 160, "GSM-7", 1, 160),
    ("a" * 161, "GSM-7", 2, 161),
    ("a" * 306, "GSM-7", 2, 306),
    ("a" * 307, "GSM-7", 3, 307),
    ("{" * 80, "GSM-7", 1, 160),  # extension characters count twice
    ("{" * 81, "GSM-7", 2, 162),
    ("a" * 152 + "€" + "a" * 10, "GSM-7", 2, 164),  # the escape pair never straddles two parts
    ("ا" * 70, "UCS-2", 1, 70),
    ("ا" * 71, "UCS-2", 2, 71),
    ("ا" * 134, "UCS-2", 2, 134),
    ("ا" * 135, "UCS-2", 3, 135),
    ("Hi 😀", "UCS-2", 1, 5),  # an emoji is a surrogate pair
    ("Status: approved ✓", "UCS-2", 1, 18),
])
def test_segments_and_encoding(body: str, encoding: str, segments: int, units: int | None) -> None:
    info = count_segments(body)
    assert (info.encoding, info.segments, info.units) == (encoding, segments, units or len(body))


def test_the_help_text_is_one_gsm7_part_in_english_and_roman_urdu() -> None:
    from sms.texts import TEXTS

    for language in ("en", "ur-Latn"):
        info = count_segments(TEXTS["sms.help"][language])
        assert (info.encoding, info.segments) == ("GSM-7", 1)
    assert count_segments(TEXTS["sms.help"]["ur"]).encoding == "UCS-2"


def test_catalogue_renderings_in_roman_urdu_stay_gsm7() -> None:
    body = text("bill.unpaid", "ur-Latn", agency="PSCA", description="Traffic e-challan", psid="10000000000000001",
                payable="Rs 1,500", due="08-12-2026", after=" Baad mein: Rs 2,000")
    assert count_segments(body).encoding == "GSM-7"


@pytest.mark.parametrize(("body", "expected"), [
    ("“Approved” — collect it…", '"Approved" - collect it...'),
    ("Don’t forget", "Don't forget"),
    ("Rs\u00a01,500", "Rs 1,500"),
])
def test_a_look_alike_alone_never_forces_ucs2(body: str, expected: str) -> None:
    assert normalise_look_alikes(body) == expected
    assert count_segments(normalise_look_alikes(body)).encoding == "GSM-7"


def test_text_that_needs_ucs2_anyway_keeps_its_own_punctuation() -> None:
    body = "“منظور” — 😀"
    assert normalise_look_alikes(body) == body
