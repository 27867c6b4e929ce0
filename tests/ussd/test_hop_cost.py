"""What a USSD hop costs in round trips, pinned: a regression (a query per screen, an unpipelined
Redis call) fails here rather than in a benchmark nobody ran (issue 15)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.runtime import Runtime
from tests.fixtures.ussd import AYESHA, UssdCall
from tests.support import count_statements


def test_dialling_in_costs_one_query_and_three_redis_round_trips(
        demo: None, runtime: Runtime, dial: Callable[..., UssdCall]) -> None:
    with count_statements(runtime.db.engine) as cost:
        call = dial(AYESHA)
    assert "Rabta govt services" in call.response.get_data(as_text=True)
    # limits + session read; the caller's resume snapshot; the session, funnel and hop log written
    assert (cost.sql, cost.redis) == (1, 3), cost.statements


def test_a_menu_hop_costs_no_query_and_two_redis_round_trips(
        demo: None, runtime: Runtime, dial: Callable[..., UssdCall]) -> None:
    call = dial(AYESHA)
    with count_statements(runtime.db.engine) as cost:
        screen = call.send("2")
    assert screen.startswith("CON ") and "tracking" in screen.lower()
    assert (cost.sql, cost.redis) == (0, 2), cost.statements


# The application with its service and agency code; the bill with its agency and whether a payment is in
# flight: each answer is one statement.
@pytest.mark.parametrize(("menu", "typed", "shown"), [
    ("2", "DOM-2026-000001", ("CON DOM-2026-000001", "Under review")),
    ("1", "10000000000000001", ("CON ", "1,500")),
], ids=["status lookup", "bill screen"])
def test_a_lookup_hop_costs_one_query_and_two_redis_round_trips(
        demo: None, runtime: Runtime, dial: Callable[..., UssdCall], menu: str, typed: str,
        shown: tuple[str, str]) -> None:
    call = dial(AYESHA)
    call.send(menu)
    with count_statements(runtime.db.engine) as cost:
        screen = call.send(typed)
    assert screen.startswith(shown[0]) and shown[1] in screen
    assert (cost.sql, cost.redis) == (1, 2), cost.statements


def test_listing_my_bills_costs_the_same_for_twelve_bills_as_for_one(
        demo: None, runtime: Runtime, dial: Callable[..., UssdCall]) -> None:
    call = dial(AYESHA)
    with count_statements(runtime.db.engine) as cost:
        screen = call.send("3")
    assert "unpaid bills" in screen
    # the account (and whether a CNIC is linked), then the unpaid bills with their agencies: no query per bill
    assert (cost.sql, cost.redis) == (2, 2), cost.statements
