"""`0` goes back one screen and `00` goes home, from every depth of every branch of the menu."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.fixtures.ussd import AYESHA, UssdCall, screen_of

STRANGER = "+923219876543"
# (caller, inputs of one path down a branch); every prefix of each path is a depth to test from.
PATHS = {
    "pay": (AYESHA, ["1", "10000000000000001", "1"]),
    "status": (AYESHA, ["2", "DOM-2026-000001"]),
    "my bills": (AYESHA, ["3", "2", "1"]),
    "link": (STRANGER, ["3", "1", "35202-7777777-1", "5927"]),
    "language": (AYESHA, ["4"]),
    "unknown bill": (AYESHA, ["1", "19999999999999999"]),
}
DEPTHS = [(name, depth) for name, (_caller, path) in PATHS.items() for depth in range(1, len(path) + 1)]


def _screens_down(dial: Callable[..., UssdCall], caller: str, path: list[str]) -> list[str]:
    call = dial(caller)
    screens = [screen_of(call)]
    for value in path:
        call.send(value)
        screens.append(screen_of(call))
    return screens


@pytest.mark.parametrize(("branch", "depth"), DEPTHS)
def test_back_returns_to_the_screen_before_at_every_depth(
        demo: None, dial: Callable[..., UssdCall], branch: str, depth: int) -> None:
    caller, path = PATHS[branch]
    screens = _screens_down(dial, caller, path[:depth])
    call = dial(caller)
    call.send(*path[:depth])
    for expected in reversed(screens[:-1]):
        call.send("0")
        assert screen_of(call) == expected


@pytest.mark.parametrize(("branch", "depth"), DEPTHS)
def test_home_returns_to_the_main_menu_from_every_depth(
        demo: None, dial: Callable[..., UssdCall], branch: str, depth: int) -> None:
    caller, path = PATHS[branch]
    call = dial(caller)
    home = screen_of(call)
    call.send(*path[:depth])
    assert call.send("00") == "CON " + home
    assert "PSID" in call.send("1")  # and the menu works from there


def test_back_on_the_main_menu_stays_on_it(demo: None, dial: Callable[..., UssdCall]) -> None:
    call = dial(AYESHA)
    home = screen_of(call)
    assert call.send("0") == "CON " + home


def test_more_where_there_is_nothing_more_says_so(demo: None, dial: Callable[..., UssdCall]) -> None:
    call = dial(AYESHA)
    assert "No more items." in call.send("98")
    assert "No more items." in call.send("3", "98")
