"""Dates in citizens' texts are on the deployment's calendar, whatever the clock of the server says."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from app.messages import formatting
from app.messages.formatting import format_date


@pytest.fixture
def karachi() -> Iterator[None]:
    """Karachi's calendar, as every other test expects it afterwards."""
    formatting.configure("Asia/Karachi")
    yield
    formatting.configure("Asia/Karachi")


def test_a_payment_at_half_past_midnight_in_karachi_is_paid_that_day(karachi: None) -> None:
    # 19:30 UTC on 2 December is 00:30 on 3 December in Karachi (UTC+5)
    assert format_date(datetime(2026, 12, 2, 19, 30, tzinfo=UTC)) == "03-12-2026"
    assert format_date(datetime(2026, 12, 2, 18, 59, tzinfo=UTC)) == "02-12-2026"


def test_a_calendar_date_is_shown_as_it_is(karachi: None) -> None:
    assert format_date(date(2026, 12, 8)) == "08-12-2026"


def test_another_deployment_shows_its_own_calendar(karachi: None) -> None:
    formatting.configure("America/New_York")
    assert format_date(datetime(2026, 12, 3, 2, 0, tzinfo=UTC)) == "02-12-2026"
