"""New tracking numbers carry an unguessable check part (issue 14, defect 9); old ones keep working for their
owner. Whether a number is shown at all stays `Viewer.may_see` (tests/app/applications/test_visibility.py)."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session

from app.applications.service import Viewer, get_request
from app.applications.tracking import CHECK_ALPHABET, normalise_tracking_number
from app.errors import InvalidTrackingNumber, NotFound
from tests.factories import make_citizen, make_request, make_service

NEW = re.compile(rf"^[A-Z]{{2,6}}-\d{{4}}-\d{{6}}-[{CHECK_ALPHABET}]{{5}}$")


def test_new_numbers_end_in_a_random_check_part(session: Session) -> None:
    citizen, service = make_citizen(session), make_service(session)
    numbers = [make_request(session, citizen, service).tracking_number for _ in range(20)]
    assert all(NEW.match(number) for number in numbers), numbers
    assert len({number.rsplit("-", 1)[1] for number in numbers}) > 15  # not derived from the sequence


def test_a_new_number_without_its_check_part_is_not_found_even_by_its_owner(session: Session) -> None:
    citizen = make_citizen(session)
    request = make_request(session, citizen)
    without_check = request.tracking_number.rsplit("-", 1)[0]
    owner = Viewer(citizen_id=citizen.id)
    with pytest.raises(NotFound):
        get_request(session=session, tracking_number=without_check, viewer=owner)
    found = get_request(session=session, tracking_number=request.tracking_number.lower().replace("-", " "),
                        viewer=owner)
    assert found.id == request.id


def test_the_check_part_does_not_open_it_to_strangers(session: Session) -> None:
    request = make_request(session)
    stranger = make_citizen(session)
    with pytest.raises(NotFound):
        get_request(session=session, tracking_number=request.tracking_number, viewer=Viewer(citizen_id=stranger.id))


def test_old_numbers_still_work_for_their_owner(session: Session, demo: None) -> None:
    from app.citizens.service import find_by_msisdn

    ayesha = find_by_msisdn(session=session, msisdn="+923001234567")
    assert ayesha is not None
    found = get_request(session=session, tracking_number="DOM-2026-000001", viewer=Viewer(citizen_id=ayesha.id))
    assert found.tracking_number == "DOM-2026-000001"


@pytest.mark.parametrize("typed, expected", [("dom2026000003k7qxm", "DOM-2026-000003-K7QXM"),
                                             ("DOM 2026 000001", "DOM-2026-000001")])
def test_both_formats_normalise(typed: str, expected: str) -> None:
    assert normalise_tracking_number(typed) == expected


@pytest.mark.parametrize("typed", ["DOM-2026-000001-K7Q", "DOM-2026-000001-K0QXM", "DOM-2026-000001-K7QXMM"])
def test_a_malformed_check_part_is_refused(typed: str) -> None:
    with pytest.raises(InvalidTrackingNumber):
        normalise_tracking_number(typed)
