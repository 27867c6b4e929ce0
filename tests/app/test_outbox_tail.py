"""`rabta outbox tail`: what was sent, to whom (masked unless asked for one number), kind, status, time."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.cli import cli
from app.settings import Settings


@pytest.fixture
def settings(base_settings: Settings, request: pytest.FixtureRequest) -> Settings:
    environment = getattr(request, "param", "test")
    return base_settings.model_copy(update={"RABTA_ENV": environment})


def _tail(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(cli, ["outbox", "tail", *args])
    return result.exit_code, result.output


def _sign_in_code_sent(client: FlaskClient, run_jobs: Callable[[], None]) -> None:
    assert client.post("/api/v1/auth/otp", json={"msisdn": "+923001234567"}).status_code == 202
    run_jobs()


def test_texts_are_listed_with_kind_status_and_a_masked_number(
        app: Flask, client: FlaskClient, demo: None, run_jobs: Callable[[], None]) -> None:
    _sign_in_code_sent(client, run_jobs)
    code, output = _tail(app)
    assert code == 0
    [line] = output.splitlines()
    assert "+92300****567" in line and " otp " in line and " sent " in line and "console" in line
    assert "sign-in code is ******" in line, "codes are masked outside development"


def test_one_number_is_shown_in_full_and_others_are_left_out(
        app: Flask, client: FlaskClient, demo: None, run_jobs: Callable[[], None]) -> None:
    _sign_in_code_sent(client, run_jobs)
    assert "+923001234567" in _tail(app, "--number", "03001234567")[1]
    assert _tail(app, "--number", "+923331234567")[1].strip() == "no texts yet"


def test_outside_development_the_code_flag_is_refused(
        app: Flask, client: FlaskClient, demo: None, run_jobs: Callable[[], None]) -> None:
    _sign_in_code_sent(client, run_jobs)
    code, output = _tail(app, "--number", "+923001234567", "--code")
    assert code != 0 and "RABTA_ENV=development" in output


@pytest.mark.parametrize("settings", ["development"], indirect=True)
def test_in_development_the_newest_code_is_shown(
        app: Flask, client: FlaskClient, demo: None, run_jobs: Callable[[], None]) -> None:
    from app.runtime import Runtime
    from tests.fixtures.api import last_otp

    _sign_in_code_sent(client, run_jobs)
    runtime: Runtime = app.extensions["rabta"]
    code, output = _tail(app, "--number", "+923001234567", "--code")
    assert code == 0 and output.strip() == last_otp(runtime, "+923001234567")
    assert f"sign-in code is {output.strip()}" in _tail(app, "--number", "+923001234567")[1]
