from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from app.bills.service import inquire_bill, normalise_psid
from app.errors import AlreadyExists, BillNotFound, InvalidPsid, ValidationFailed
from tests.factories import local_day, make_agency, make_bill


def test_within_the_due_date_the_base_amount_is_payable(session: Session) -> None:
    bill = make_bill(session, psid="10000000000000099", due_in_days=10, within=150000, after=200000)
    inquiry = inquire_bill(session=session, psid=bill.psid, on=local_day())
    assert inquiry.payable_now == 150000
    assert not inquiry.is_overdue


def test_on_the_due_date_itself_the_base_amount_is_still_payable(session: Session) -> None:
    bill = make_bill(session, due_in_days=0, within=150000, after=200000)
    assert inquire_bill(session=session, psid=bill.psid, on=local_day()).payable_now == 150000


def test_after_the_due_date_the_surcharged_amount_is_payable(session: Session) -> None:
    bill = make_bill(session, due_in_days=-1, within=100000, after=150000)
    inquiry = inquire_bill(session=session, psid=bill.psid, on=local_day())
    assert inquiry.payable_now == 150000
    assert inquiry.is_overdue


def test_payable_amount_follows_the_day_asked_about(session: Session) -> None:
    bill = make_bill(session, due_in_days=3, within=100000, after=150000)
    later = local_day() + timedelta(days=4)
    assert inquire_bill(session=session, psid=bill.psid, on=later).payable_now == 150000


def test_the_inquiry_rendering_shows_amount_and_due_date(session: Session) -> None:
    agency = make_agency(session, code="PSCA", name_en="Punjab Safe City Authority")
    bill = make_bill(session, agency=agency, due_in_days=10, within=150000, after=200000)
    rendered = inquire_bill(session=session, psid=bill.psid, on=local_day()).render("en")
    assert "Rs 1,500" in rendered and "Rs 2,000" in rendered and "PSCA" in rendered
    assert len(rendered) <= 160


@pytest.mark.parametrize("psid", ["", "123", "1000000000000000A", "100000000000000011", "١" * 17])
def test_malformed_psids_raise_a_typed_error(session: Session, psid: str) -> None:
    with pytest.raises(InvalidPsid):
        inquire_bill(session=session, psid=psid, on=local_day())


def test_an_unknown_psid_is_a_clear_not_found(session: Session) -> None:
    with pytest.raises(BillNotFound):
        inquire_bill(session=session, psid="19999999999999999", on=local_day())


def test_psids_may_be_typed_with_spaces_or_dashes() -> None:
    assert normalise_psid("1000-0000-0000-00001") == "10000000000000001"


def test_a_psid_is_unique(session: Session) -> None:
    make_bill(session, psid="10000000000000042")
    with pytest.raises(AlreadyExists):
        make_bill(session, psid="10000000000000042")


def test_the_after_due_amount_may_not_be_lower_than_the_base(session: Session) -> None:
    with pytest.raises(ValidationFailed):
        make_bill(session, within=200000, after=100000)
