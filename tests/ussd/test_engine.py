"""The pure engine: `step(state, event)` moves between screens, asks for effects, never does I/O."""

from __future__ import annotations

from dataclasses import replace

from app.messages.gsm7 import is_gsm7, septets, to_gsm7
from ussd.engine import Effect, Input, Outcome, Start, State, step
from ussd.render import render, shorten


def _home() -> State:
    started = step(State(session_id="s", phone="+923001234567"), Start())
    assert started.effect == Effect("start", "begin", {})
    return step(started.state, Outcome("start", "home")).state


def test_a_session_starts_by_asking_the_shell_who_is_calling_then_shows_home() -> None:
    state = _home()
    assert state.screen == "home" and render(state).text.startswith("Rabta govt services")


def test_a_valid_psid_is_stored_and_the_bill_lookup_is_requested() -> None:
    state = step(_home(), Input("1")).state
    result = step(state, Input("1000-0000-0000-00001"))
    assert result.effect is not None and result.effect.name == "load_bill"
    assert result.effect.args == {"psid": "10000000000000001"}
    assert result.state.data["psid"] == "10000000000000001"


def test_a_pin_travels_only_inside_the_effect_never_in_the_state() -> None:
    state = step(step(_home(), Input("1")).state, Input("10000000000000001")).state
    state = step(state, Outcome("pay.load", "unpaid", data={"bill_text": "B", "amount": "Rs 1"})).state
    state = step(replace(state, citizen_id=1, has_pin=True), Input("1")).state
    assert state.screen == "pay.pin"
    result = step(state, Input("2468"))
    assert result.effect is not None and result.effect.secret == "2468"
    assert "2468" not in repr(result.state) and "2468" not in repr(result.effect)


def test_without_a_pin_confirming_goes_straight_to_the_payment() -> None:
    state = step(step(_home(), Input("1")).state, Input("10000000000000001")).state
    state = step(state, Outcome("pay.load", "unpaid", data={"bill_text": "B"})).state
    result = step(state, Input("1"))
    assert result.effect is not None and result.effect.name == "start_payment" and result.effect.secret is None


def test_an_unexpected_outcome_ends_politely() -> None:
    state = step(step(_home(), Input("2")).state, Input("DOM-2026-000001")).state
    final = step(state, Outcome("status.lookup", "something new")).state
    assert final.ended and render(final).end


def test_funnel_events_name_arrivals_completions_backs_and_invalid_inputs() -> None:
    home = _home()
    forward = step(home, Input("2"))
    assert forward.funnel == (("home", "completion"), ("status.tracking", "arrival"))
    assert step(forward.state, Input("??")).funnel == (("status.tracking", "invalid"),)
    assert step(forward.state, Input("0")).funnel == (("status.tracking", "back"), ("home", "arrival"))


def test_restoring_a_saved_journey_puts_the_caller_back_with_their_path() -> None:
    saved = {"screen": "pay.bill", "stack": ["home", "pay.psid"], "data": {"bill_text": "B", "psid": "1" * 17}}
    offer = step(State(session_id="s", phone="p"), Outcome("start", "resume", data={"_resume": saved})).state
    restored = step(offer, Input("1")).state
    assert restored.screen == "pay.bill" and restored.stack == ("home", "pay.psid")
    assert step(restored, Input("0")).state.screen == "pay.psid"


def test_a_garbled_saved_journey_falls_back_to_home() -> None:
    offer = step(State(session_id="s", phone="p"), Outcome("start", "resume",
                                                          data={"_resume": {"screen": "pay.start"}})).state
    assert step(offer, Input("1")).state.screen == "home"


def test_gsm7_maps_look_alikes_and_strips_what_it_cannot_carry() -> None:
    assert to_gsm7("“Excise” – Taxation…") == '"Excise" - Taxation...'
    assert to_gsm7("Café Ñandú") == "Café Ñandu" and to_gsm7("Çağ") == "Çag"
    assert is_gsm7(to_gsm7("ڈومیسائل 😀"))
    assert septets("{a}") == 5


def test_shortening_cuts_between_words_only() -> None:
    assert shorten("Punjab Safe City Authority", 20) == "Punjab Safe City..."
    assert shorten("Supercalifragilistic", 10) == "..."
