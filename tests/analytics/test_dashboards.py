"""The console dashboards: who sees what, date ranges, the change against the previous period, downloads."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from analytics.boards import BOARDS as COMPUTE
from analytics.boards import board_from_json, board_to_json
from analytics.queries import Period
from app.catalogue.models import Agency
from app.officers_scope import OfficerScope
from app.runtime import Runtime

BOARDS = ("collections", "applications", "channels", "citizens")


def test_nobody_signed_in_is_sent_to_the_console_sign_in(client: FlaskClient) -> None:
    response = client.get("/console/dashboards/collections")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/console/login")


def test_an_officer_sees_only_their_agency(client: FlaskClient, two_agencies: tuple[Agency, Agency],
                                           sign_in: Callable[..., OfficerScope]) -> None:
    a, _b = two_agencies
    sign_in("officer", a.id)
    page = client.get("/console/dashboards/collections?range=today").get_data(as_text=True)
    assert "Amount collected" in page and "300.0 PKR" in page and "7,000" not in page
    # Downloads say the same as the page
    rows = list(csv.reader(io.StringIO(client.get(
        "/console/dashboards/collections/count-by-channel.csv?range=today").get_data(as_text=True))))
    assert rows[0] == ["day", "App", "USSD", "SMS", "Bank/1Bill"] and rows[1][1:] == ["3", "0", "0", "0"]


def test_an_admin_sees_every_agency_and_can_pick_one(client: FlaskClient, two_agencies: tuple[Agency, Agency],
                                                     sign_in: Callable[..., OfficerScope]) -> None:
    _a, b = two_agencies
    sign_in("admin")
    body = client.get("/console/dashboards/collections/amount-by-channel.json?range=today").get_json()
    assert body["columns"] == ["day", "App", "USSD", "SMS", "Bank/1Bill"]
    assert body["rows"][0][1:] == [300.0, 0, 0, 7000.0]
    only_b = client.get(f"/console/dashboards/collections/amount-by-channel.json?range=today&agency={b.id}")
    assert only_b.get_json()["rows"][0][1:] == [0, 0, 0, 7000.0]


def test_the_change_is_against_the_previous_period_of_the_same_length(
        client: FlaskClient, two_agencies: tuple[Agency, Agency], sign_in: Callable[..., OfficerScope]) -> None:
    a, _b = two_agencies
    sign_in("supervisor", a.id)
    page = client.get("/console/dashboards/collections?range=today").get_data(as_text=True)
    # 3 settled today against 1 yesterday
    assert "+200.0% vs previous period (1)" in page
    assert 'aria-current="page"' in page and "<svg" in page and "<table>" in page


def test_custom_ranges_are_checked(client: FlaskClient, runtime: Runtime, sign_in: Callable[..., OfficerScope]) -> None:
    sign_in("admin")
    page = client.get("/console/dashboards/channels?range=custom&from=2026-02-10&to=2026-02-01").get_data(as_text=True)
    assert "The start date must not be after the end date." in page
    page = client.get("/console/dashboards/channels?range=custom&from=2026-02-01&to=2026-02-10").get_data(as_text=True)
    assert "2026-02-01 to 2026-02-10 (10 days)" in page


@pytest.mark.parametrize("board", BOARDS)
def test_every_dashboard_renders_with_a_download_per_chart(client: FlaskClient, board: str,
                                                           two_agencies: tuple[Agency, Agency],
                                                           sign_in: Callable[..., OfficerScope]) -> None:
    sign_in("admin")
    response = client.get(f"/console/dashboards/{board}?range=30d")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for chart_link in [part.split('"')[0] for part in page.split('href="')[1:] if ".json?" in part.split('"')[0]]:
        data = client.get(chart_link.replace("&amp;", "&"))
        assert data.status_code == 200 and json.loads(data.get_data())["rows"] is not None
    assert page.count("<svg") == page.count("Data table:") > 0


def test_a_cached_board_reads_back_equal_from_json_never_pickle(two_agencies: object, session: Session) -> None:
    today = date.today()
    period = Period(start=today - timedelta(days=6), end=today, key="7d")
    for slug, (_title, compute) in COMPUTE.items():
        board = compute(session, period, None)
        assert board_from_json(board_to_json(board)) == board, slug
