"""Where the simulator exists: open in development; elsewhere only when SIMULATOR_ENABLED, only for a signed-in
console admin (asked through `app.officers_scope.current_officer`), and only with reserved numbers."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.officers_scope import OFFICER_LOADER, OfficerScope
from app.settings import Settings
from tests.fixtures.ussd import AYESHA
from tests.simulator.conftest import HEADERS

RESERVED = "+923700000001"


def sign_in(app: Flask, role: str | None) -> None:
    """What the console's loader answers for this test (the console is not imported)."""
    officer = OfficerScope(officer_id=7, email="admin@rabta.test", role=role, agency_id=None) if role else None
    app.extensions[OFFICER_LOADER] = lambda: officer


def test_in_development_the_page_is_open_starts_with_ayesha_and_is_linked_from_the_landing_page(
        client: FlaskClient) -> None:
    page = client.get("/simulator")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert f'data-first="{AYESHA}"' in html and "Ayesha Khan" in html
    for name in ("Phone number", "Add phone", "Reply", "Send", "Call", "End call", "Message", "Send SMS"):
        assert f">{name}" in html or f"{name} <" in html, name
    assert 'role="log"' in html
    assert "http" not in html.split("<body", 1)[1].replace("http://www.w3.org", "")  # nothing external
    assert 'href="/simulator"' in client.get("/").get_data(as_text=True)
    script = client.get("/simulator/static/simulator.js")
    assert script.status_code == 200 and "X-Rabta-Simulator" in script.get_data(as_text=True)


def test_the_endpoints_take_json_from_the_page_only(client: FlaskClient) -> None:
    no_header = client.post("/simulator/api/ussd/dial", json={"phone": AYESHA})
    form = client.post("/simulator/api/ussd/dial", data={"phone": AYESHA}, headers=HEADERS)
    assert no_header.status_code == form.status_code == 400
    assert "JSON" in no_header.get_json()["error"]


def test_a_number_that_is_not_a_mobile_number_is_refused_with_a_reason(client: FlaskClient) -> None:
    refused = client.get("/simulator/api/inbox?phone=12")
    assert refused.status_code == 400 and "mobile number" in refused.get_json()["error"]


class TestOutsideDevelopment:
    @pytest.fixture
    def settings(self, base_settings: Settings, sim_overrides: dict[str, Any]) -> Settings:
        return base_settings.model_copy(update={**sim_overrides, "RABTA_ENV": "test", "SIMULATOR_ENABLED": True})

    def test_switched_off_it_does_not_exist(self, client: FlaskClient, runtime: Any, app: Flask) -> None:
        runtime.settings.SIMULATOR_ENABLED = False
        sign_in(app, "admin")
        assert client.get("/simulator").status_code == 404
        assert client.post("/simulator/api/ussd/dial", json={"phone": RESERVED}, headers=HEADERS).status_code == 404

    @pytest.mark.parametrize("role", [None, "officer", "supervisor"])
    def test_only_a_signed_in_admin_gets_in(self, client: FlaskClient, app: Flask, role: str | None) -> None:
        sign_in(app, role)
        refused = client.get("/simulator")
        assert refused.status_code == 403 and "console admins" in refused.get_data(as_text=True)
        assert client.get(f"/simulator/api/inbox?phone={RESERVED}").status_code == 403
        assert client.post("/simulator/api/ussd/dial", json={"phone": RESERVED}, headers=HEADERS).status_code == 403

    def test_without_a_console_nobody_gets_in(self, client: FlaskClient, app: Flask) -> None:
        app.extensions.pop(OFFICER_LOADER, None)
        assert client.get("/simulator").status_code == 403

    def test_an_admin_gets_a_reserved_number_and_no_demo_citizens(self, client: FlaskClient, app: Flask) -> None:
        sign_in(app, "admin")
        html = client.get("/simulator").get_data(as_text=True)
        assert f'data-first="{RESERVED}"' in html
        assert AYESHA not in html and "Ayesha" not in html
        assert client.get(f"/simulator/api/inbox?phone={RESERVED}").get_json() == {"phone": RESERVED, "messages": []}

    def test_a_real_citizens_number_cannot_be_simulated(self, client: FlaskClient, app: Flask) -> None:
        sign_in(app, "admin")
        for response in (client.get(f"/simulator/api/inbox?phone={AYESHA}"),
                         client.post("/simulator/api/ussd/dial", json={"phone": AYESHA}, headers=HEADERS),
                         client.post("/simulator/api/sms", json={"phone": AYESHA, "text": "HELP"}, headers=HEADERS)):
            assert response.status_code == 400
            assert "+92370000" in response.get_json()["error"]


def test_production_refuses_an_enabled_simulator_without_a_reserved_range() -> None:
    settings = Settings(RABTA_ENV="test", SIMULATOR_ENABLED=True, SIMULATOR_NUMBER_PREFIX="+92")
    assert any("SIMULATOR_NUMBER_PREFIX" in problem for problem in settings.production_problems())
    assert not any("SIMULATOR" in problem for problem in
                   Settings(RABTA_ENV="test", SIMULATOR_ENABLED=True).production_problems())
