from __future__ import annotations

import pytest

from app.citizens.identity import format_cnic, mask_cnic, normalise_cnic, normalise_msisdn
from app.errors import InvalidCnic, InvalidPhoneNumber


@pytest.mark.parametrize("typed", [
    "03001234567", "923001234567", "+92 300 1234567", "0092 300 1234567", "+923001234567", "0300-1234567",
    " 0300 123 4567 ",
])
def test_pakistani_mobile_numbers_in_every_common_style_normalise_to_e164(typed: str) -> None:
    assert normalise_msisdn(typed) == "+923001234567"


@pytest.mark.parametrize("typed", [
    "", "abc", "0300123", "030012345678901", "+92 42 1234567", "12345", "+", "0092", "9" * 40,
])
def test_unparseable_or_non_mobile_numbers_raise_a_typed_error(typed: str) -> None:
    with pytest.raises(InvalidPhoneNumber):
        normalise_msisdn(typed)


def test_numbers_of_another_region_are_accepted_in_international_form() -> None:
    assert normalise_msisdn("+254 712 345678") == "+254712345678"


@pytest.mark.parametrize("typed", ["35202-1234567-2", "3520212345672", " 35202-1234567-2 "])
def test_cnics_with_or_without_dashes_are_stored_as_13_digits(typed: str) -> None:
    assert normalise_cnic(typed) == "3520212345672"


@pytest.mark.parametrize("typed", ["", "35202-123456-2", "35202-12345678-2", "3520A-1234567-2", "05202-1234567-2",
                                   "35202_1234567_2", "352021234567"])
def test_malformed_cnics_raise_a_typed_error(typed: str) -> None:
    with pytest.raises(InvalidCnic):
        normalise_cnic(typed)


def test_a_cnic_is_shown_in_full_only_when_formatted_and_masked_otherwise() -> None:
    assert format_cnic("3520212345672") == "35202-1234567-2"
    masked = mask_cnic("3520212345672")
    assert "35202" not in masked and "1234" not in masked
    assert masked.endswith("-2")
