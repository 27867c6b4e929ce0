"""Simulator tests: the app on a real loopback port (the simulator posts to its own public URL over HTTP),
in development (where the simulator needs no sign-in) unless a test says otherwise, with an AT token set so
every hop proves the token travels server-side."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from app.settings import Settings

AT_TOKEN = "sim-at-token-5c1e"
HEADERS = {"X-Rabta-Simulator": "1"}


@pytest.fixture
def sim_overrides(payment_overrides: dict[str, Any]) -> dict[str, Any]:
    return {**payment_overrides, "RABTA_ENV": "development", "AT_WEBHOOK_TOKEN": AT_TOKEN,
            "LOG_FORMAT": "json"}


@pytest.fixture
def settings(base_settings: Settings, sim_overrides: dict[str, Any]) -> Settings:
    return base_settings.model_copy(update=sim_overrides)


def api(client: FlaskClient, path: str, payload: dict[str, Any]) -> Any:
    response = client.post(f"/simulator/api/{path}", json=payload, headers=HEADERS)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()
