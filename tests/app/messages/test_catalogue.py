from __future__ import annotations

import pytest

from app.bootstrap import channels
from app.errors import DomainError
from app.messages import TEXTS, register, text
from app.messages.formatting import format_money

# The catalogue is whole once every channel has added its wording, as create_app does; without this the
# tests below would check whatever an earlier test happened to import.
for _channel in channels():
    register(_channel.texts)
# Citizens read these on any phone, in three languages; officers read the console's (English and Urdu).
CITIZEN_TEXTS = sorted(key for key in TEXTS if not key.startswith("console."))

GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
           "¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€")


@pytest.mark.parametrize("key", CITIZEN_TEXTS)
def test_every_message_exists_in_english_urdu_and_roman_urdu(key: str) -> None:
    assert {"en", "ur", "ur-Latn"} <= set(TEXTS[key])


@pytest.mark.parametrize("key", CITIZEN_TEXTS)
def test_english_and_roman_urdu_texts_stay_gsm7(key: str) -> None:
    for language in ("en", "ur-Latn"):
        assert set(TEXTS[key][language]) <= GSM7, (key, language)


def test_every_domain_error_has_a_citizen_message() -> None:
    def all_subclasses(cls: type) -> list[type]:
        return [cls] + [s for sub in cls.__subclasses__() for s in all_subclasses(sub)]

    for error in all_subclasses(DomainError):
        assert error.message_key in TEXTS, error


def test_unknown_languages_fall_back_to_english() -> None:
    assert text("status.approved", "fr") == "Approved"


def test_money_is_shown_in_rupees_with_grouping_and_paisa_only_when_present() -> None:
    assert format_money(150000) == "Rs 1,500"
    assert format_money(123456789050) == "Rs 1,234,567,890.50"
