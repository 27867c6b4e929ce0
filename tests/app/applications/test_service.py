from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.applications.models import ALLOWED_TRANSITIONS, STATUSES, ServiceRequest
from app.applications.service import (
    history,
    lookup_status,
    normalise_tracking_number,
    transition,
)
from app.errors import IllegalTransition, InvalidTrackingNumber, ServiceRequestNotFound, ValidationFailed
from app.notifications.models import Notification
from app.runtime import Runtime
from tests.factories import EVERYONE, make_citizen, make_request, make_service

HAPPY_PATH = ["under_review", "info_requested", "under_review", "approved", "ready_for_collection", "completed"]


def _new_request(runtime: Runtime) -> str:
    with runtime.db.transaction() as s:
        service = make_service(s, code="DOM", name_en="Domicile certificate")
        return make_request(s, citizen=make_citizen(s, msisdn="03001234567"), service=service).tracking_number


def test_tracking_numbers_carry_the_service_prefix_year_a_sequence_and_a_check_part(runtime: Runtime) -> None:
    first = _new_request(runtime)
    prefix, year, sequence, check = first.split("-")
    assert prefix == "DOM" and len(year) == 4 and sequence == "000001" and len(check) == 5
    with runtime.db.transaction() as s:
        second = make_request(s, service=make_service(s, code="PSP")).tracking_number
    assert second.startswith("PSP-") and second.split("-")[2] == "000002"


def test_an_application_walks_the_whole_lifecycle_with_history(runtime: Runtime) -> None:
    tracking = _new_request(runtime)
    for status in HAPPY_PATH:
        with runtime.db.transaction() as s:
            transition(viewer=EVERYONE, session=s, tracking_number=tracking, to_status=status, actor="officer:1",
                       note=status)
    with runtime.db.transaction() as s:
        request = s.exec(select(ServiceRequest).where(ServiceRequest.tracking_number == tracking)).one()
        events = history(session=s, request=request)
    assert request.status == "completed"
    assert [e.to_status for e in events] == ["submitted", *HAPPY_PATH]
    assert [e.from_status for e in events] == [None, "submitted", *HAPPY_PATH[:-1]]


@pytest.mark.parametrize("from_status", STATUSES)
def test_every_transition_not_in_the_lifecycle_is_refused(runtime: Runtime, from_status: str) -> None:
    tracking = _new_request(runtime)
    with runtime.db.transaction() as s:
        request = s.exec(select(ServiceRequest).where(ServiceRequest.tracking_number == tracking)).one()
        request.status = from_status
        s.add(request)
    for to_status in set(STATUSES) - ALLOWED_TRANSITIONS[from_status]:
        with pytest.raises(IllegalTransition), runtime.db.transaction() as s:
            transition(viewer=EVERYONE, session=s, tracking_number=tracking, to_status=to_status, actor="officer:1")


def test_an_illegal_transition_changes_nothing_and_notifies_no_one(runtime: Runtime) -> None:
    tracking = _new_request(runtime)
    with pytest.raises(IllegalTransition), runtime.db.transaction() as s:
        transition(viewer=EVERYONE, session=s, tracking_number=tracking, to_status="completed", actor="officer:1")
    with runtime.db.transaction() as s:
        request = s.exec(select(ServiceRequest).where(ServiceRequest.tracking_number == tracking)).one()
        assert request.status == "submitted"
        assert len(history(session=s, request=request)) == 1
        assert s.exec(select(Notification)).all() == []


def test_a_legal_transition_writes_the_citizen_notification_in_the_same_transaction(runtime: Runtime) -> None:
    tracking = _new_request(runtime)
    with runtime.db.transaction() as s:
        transition(viewer=EVERYONE, session=s, tracking_number=tracking, to_status="under_review", actor="officer:1")
    with runtime.db.transaction() as s:
        notification = s.exec(select(Notification)).one()
    assert notification.kind == "status_change"
    assert notification.msisdn == "+923001234567"
    assert tracking in notification.body and "Under review" in notification.body


def test_a_rolled_back_transition_leaves_the_outbox_empty(runtime: Runtime) -> None:
    tracking = _new_request(runtime)
    with pytest.raises(RuntimeError), runtime.db.transaction() as s:
        transition(viewer=EVERYONE, session=s, tracking_number=tracking, to_status="under_review", actor="officer:1")
        raise RuntimeError("crash after the change, before commit")
    with runtime.db.transaction() as s:
        assert s.exec(select(Notification)).all() == []
        request = s.exec(select(ServiceRequest).where(ServiceRequest.tracking_number == tracking)).one()
        assert request.status == "submitted"


def test_an_unknown_status_is_a_validation_error(runtime: Runtime) -> None:
    tracking = _new_request(runtime)
    with pytest.raises(ValidationFailed), runtime.db.transaction() as s:
        transition(viewer=EVERYONE, session=s, tracking_number=tracking, to_status="teleported", actor="officer:1")


def test_status_lookup_accepts_sloppy_typing_and_renders_in_each_language(runtime: Runtime) -> None:
    tracking = _new_request(runtime)
    with runtime.db.transaction() as s:
        for language in ("en", "ur", "ur-Latn"):
            view = lookup_status(viewer=EVERYONE, session=s, tracking_number=tracking.lower().replace("-", " "),
                                 language=language)
            assert view.tracking_number == tracking
            assert tracking in view.render(language)
        assert "Submitted" in lookup_status(viewer=EVERYONE, session=s, tracking_number=tracking,
                                            language="en").render("en")


@pytest.mark.parametrize("typed", ["", "DOM", "DOM-26-1", "12345", "DOM-2026-0000001"])
def test_malformed_tracking_numbers_raise_a_typed_error(typed: str) -> None:
    with pytest.raises(InvalidTrackingNumber):
        normalise_tracking_number(typed)


def test_an_unknown_tracking_number_is_a_clear_not_found(session: Session) -> None:
    with pytest.raises(ServiceRequestNotFound):
        lookup_status(viewer=EVERYONE, session=session, tracking_number="DOM-2026-999999", language="en")


def test_an_application_must_carry_the_fields_its_service_requires(runtime: Runtime) -> None:
    with runtime.db.transaction() as s:
        service = make_service(s, code="BRC", required_fields={"child_name": {"required": True},
                                                               "date_of_birth": {"pattern": r"\d{4}-\d{2}-\d{2}"}})
        with pytest.raises(ValidationFailed) as raised:
            make_request(s, service=service, details={"date_of_birth": "1st May", "colour": "blue"})
    assert raised.value.field_errors == {"child_name": "required", "date_of_birth": "invalid format",
                                         "colour": "unknown field"}
