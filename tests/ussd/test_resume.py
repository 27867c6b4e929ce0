"""A caller cut off mid-journey who dials again within the window can continue where they left off."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlmodel import Session, select

from app.runtime import Runtime
from app.settings import Settings
from payments.models import Payment
from tests.fixtures.ussd import AYESHA, AYESHA_PIN, UssdCall, screen_of
from ussd.store import resume_key

STRANGER = "+923219876543"


def test_after_an_incomplete_session_the_next_call_offers_to_continue_and_does(
        demo: None, session: Session, dial: Callable[..., UssdCall]) -> None:
    first = dial(AYESHA)
    bill_screen = first.send("1", "10000000000000001")
    assert first.end("Incomplete").status_code == 200
    second = dial(AYESHA)
    offer = screen_of(second)
    assert "cut off" in offer and "1 Continue where you left off" in offer and "2 Start again" in offer
    assert second.send("1") == bill_screen
    assert second.send("1", AYESHA_PIN).startswith("END ")
    assert session.exec(select(Payment)).one().channel == "ussd"
    assert "cut off" not in screen_of(dial(AYESHA))  # finished: nothing left to resume


def test_back_after_resuming_walks_the_restored_path(demo: None, dial: Callable[..., UssdCall]) -> None:
    first = dial(AYESHA)
    psid_screen = first.send("1")
    first.send("10000000000000001")
    first.end("Incomplete")
    second = dial(AYESHA)
    second.send("1")
    assert second.send("0") == psid_screen


def test_starting_again_discards_the_saved_journey(demo: None, dial: Callable[..., UssdCall]) -> None:
    first = dial(AYESHA)
    first.send("2")
    first.end("Incomplete")
    second = dial(AYESHA)
    assert "Rabta govt services" in second.send("2")
    second.end("Incomplete")
    assert "cut off" not in screen_of(dial(AYESHA))


def test_a_completed_session_or_one_left_at_home_offers_nothing(demo: None, dial: Callable[..., UssdCall]) -> None:
    done = dial(AYESHA)
    done.send("2", "DOM-2026-000001", "00")
    done.end("Incomplete")
    assert "cut off" not in screen_of(dial(AYESHA))
    finished = dial(AYESHA)
    finished.send("1")
    finished.end("Success")
    assert "cut off" not in screen_of(dial(AYESHA))


def test_the_saved_journey_lives_for_the_resume_window_after_the_session_ends(
        demo: None, runtime: Runtime, settings: Settings, dial: Callable[..., UssdCall]) -> None:
    call = dial(AYESHA)
    call.send("1")
    call.end("Incomplete")
    ttl = runtime.redis.ttl(resume_key(AYESHA))
    assert 0 < ttl <= settings.USSD_RESUME_WINDOW_SECONDS == 300
    runtime.redis.delete(resume_key(AYESHA))  # the window passes
    assert "cut off" not in screen_of(dial(AYESHA))


def test_a_journey_cut_off_between_the_two_new_pins_resumes_at_choosing_the_pin_and_keeps_no_pin(
        demo: None, runtime: Runtime, dial: Callable[..., UssdCall]) -> None:
    call = dial(STRANGER)
    call.send("3", "1", "42201-7654654-3", "5927")
    call.end("Incomplete")
    saved = runtime.redis.get(resume_key(STRANGER))
    assert saved is not None and "5927" not in saved.decode()
    assert json.loads(saved)["screen"] == "link.pin" and "_pin_digest" not in json.loads(saved)["data"]
    again = dial(STRANGER)
    assert "Choose a 4-digit PIN" in again.send("1")
    again.send("5927")
    assert "linked to CNIC" in again.send("5927")


def test_the_resume_offer_speaks_the_callers_language(demo: None, dial: Callable[..., UssdCall]) -> None:
    first = dial("+923331234567")  # Bilal reads Urdu: Roman Urdu on USSD
    first.send("2")
    first.end("Incomplete")
    offer = screen_of(dial("+923331234567"))
    assert "Wahin se jari rakhein" in offer
