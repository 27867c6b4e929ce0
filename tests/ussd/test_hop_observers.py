"""The gateway tells its observers what each hop did (the phone simulator's event panel reads this), with a
PIN masked at the source, and an observer that fails never breaks the caller's hop."""

from __future__ import annotations

from collections.abc import Callable

from app.runtime import Runtime
from tests.fixtures.ussd import AYESHA_PIN, UssdCall, holds_pin, screen_of
from ussd.gateway import Hop


def watch(runtime: Runtime) -> list[Hop]:
    hops: list[Hop] = []
    runtime.ussd.observers.append(hops.append)
    return hops


def test_each_hop_reports_screens_input_effects_funnel_and_time(
        runtime: Runtime, dial: Callable[..., UssdCall], demo: None) -> None:
    hops = watch(runtime)
    call = dial()
    call.send("2", "DOM-2026-000001")
    first, choice, lookup = hops
    assert (first.came_from, first.screen, first.input, first.effects) == (None, "home", None, (("begin", "home"),))
    assert (choice.came_from, choice.screen, choice.input) == ("home", "status.tracking", "2")
    assert ("home", "completion") in choice.funnel and ("status.tracking", "arrival") in choice.funnel
    assert lookup.effects == (("lookup_status", "found"),) and lookup.screen == "status.show"
    assert lookup.session_id == call.session_id and lookup.phone == call.phone
    assert lookup.at.endswith("+00:00") and lookup.elapsed_ms >= 0


def test_a_pin_is_masked_before_any_observer_sees_it(
        runtime: Runtime, dial: Callable[..., UssdCall], demo: None) -> None:
    hops = watch(runtime)
    call = dial()
    call.send("1", "10000000000000001", "1")
    assert hops[-1].screen == "pay.pin" and hops[-1].asks_secret
    call.send(AYESHA_PIN)
    pin_hop = hops[-1]
    assert pin_hop.secret and pin_hop.input == "****" and pin_hop.came_from == "pay.pin"
    assert ("start_payment", "started") in pin_hop.effects and pin_hop.end
    assert not holds_pin(repr(hops))


def test_a_failing_observer_does_not_break_the_hop(
        runtime: Runtime, dial: Callable[..., UssdCall], demo: None) -> None:
    def broken(_hop: Hop) -> None:
        raise RuntimeError("observer down")

    runtime.ussd.observers.insert(0, broken)
    hops = watch(runtime)
    call = dial()
    assert "Rabta govt services" in screen_of(call)
    assert [hop.screen for hop in hops] == ["home"]


def test_a_cnic_typed_at_a_prompt_is_reported_masked(
        runtime: Runtime, dial: Callable[..., UssdCall]) -> None:
    hops = watch(runtime)
    call = dial("+923001110003")  # no account: My bills offers to link a CNIC
    call.send("3", "1", "3520299999991")
    assert hops[-1].came_from == "link.cnic"
    assert hops[-1].input == "*****-****999-1"
