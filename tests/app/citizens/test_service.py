from __future__ import annotations

import logging

import pytest
from sqlmodel import Session

from app.citizens.models import Citizen
from app.citizens.service import (
    attempt_pin,
    find_by_msisdn,
    register_citizen,
    set_cnic,
    set_language,
)
from app.errors import AlreadyExists, PinLocked, ValidationFailed, WrongPin
from app.runtime import Runtime


def test_a_citizen_is_stored_with_an_e164_number_and_a_normalised_cnic(session: Session) -> None:
    citizen = register_citizen(session=session, msisdn="03001234567", name="Ayesha Khan",
                               cnic="35202-1234567-2", language="en")
    session.commit()
    assert citizen.msisdn == "+923001234567"
    assert citizen.cnic == "3520212345672"
    assert find_by_msisdn(session=session, msisdn="0092 300 1234567") == citizen


def test_the_same_number_cannot_register_twice(session: Session) -> None:
    register_citizen(session=session, msisdn="03001234567")
    with pytest.raises(AlreadyExists):
        register_citizen(session=session, msisdn="+923001234567")


def test_a_cnic_belongs_to_one_citizen_only(session: Session) -> None:
    register_citizen(session=session, msisdn="03001234567", cnic="35202-1234567-2")
    other = register_citizen(session=session, msisdn="03331234567")
    with pytest.raises(AlreadyExists):
        set_cnic(session=session, citizen=other, cnic="3520212345672")


def test_an_unknown_language_is_refused(session: Session) -> None:
    citizen = register_citizen(session=session, msisdn="03001234567")
    with pytest.raises(ValidationFailed):
        set_language(session=session, citizen=citizen, language="fr")


def test_the_pin_is_stored_only_as_a_salted_slow_hash(session: Session) -> None:
    one = register_citizen(session=session, msisdn="03001234567", pin="2468")
    two = register_citizen(session=session, msisdn="03331234567", pin="2468")
    assert one.pin_hash and two.pin_hash
    assert "2468" not in one.pin_hash
    assert one.pin_hash.startswith("scrypt$")
    assert one.pin_hash != two.pin_hash


def test_registration_logs_never_show_the_full_cnic(session: Session, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="rabta"):
        register_citizen(session=session, msisdn="03001234567", cnic="35202-1234567-2", pin="2468")
    assert "3520212345672" not in caplog.text and "35202-1234567-2" not in caplog.text
    assert "2468" not in caplog.text


def test_three_wrong_pins_lock_pin_use_even_for_the_right_pin(runtime: Runtime) -> None:
    with runtime.db.transaction() as s:
        citizen_id = register_citizen(session=s, msisdn="03001234567", pin="2468").id or 0
    outcomes = []
    for _ in range(3):
        with runtime.db.transaction() as s:
            outcomes.append(attempt_pin(session=s, citizen_id=citizen_id, pin="1111"))
    assert isinstance(outcomes[0].error, WrongPin) and outcomes[0].error.params["attempts_left"] == 2
    assert isinstance(outcomes[2].error, PinLocked)
    with runtime.db.transaction() as s:
        assert isinstance(attempt_pin(session=s, citizen_id=citizen_id, pin="2468").error, PinLocked)


def test_a_right_pin_resets_the_wrong_attempt_counter(runtime: Runtime) -> None:
    with runtime.db.transaction() as s:
        citizen_id = register_citizen(session=s, msisdn="03001234567", pin="2468").id or 0
    with runtime.db.transaction() as s:
        assert not attempt_pin(session=s, citizen_id=citizen_id, pin="0000").ok
    with runtime.db.transaction() as s:
        assert attempt_pin(session=s, citizen_id=citizen_id, pin="2468").ok
    with runtime.db.transaction() as s:
        citizen = s.get(Citizen, citizen_id)
        assert citizen is not None and citizen.pin_failed_attempts == 0
