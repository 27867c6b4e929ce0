"""Cookie sessions are opened only for a request that brings the cookie (issue 15): a webhook or API call
gets the empty session it always got, and a signed cookie is still read and a forged one still ignored."""

from __future__ import annotations

from flask import Flask, session

from app.cookie_sessions import CookieSessionsWhenPresent


def _probe_app() -> Flask:
    app = Flask(__name__)
    app.secret_key = "test-secret"
    app.session_interface = CookieSessionsWhenPresent()

    @app.get("/set")
    def set_value() -> str:
        session["who"] = "officer"
        return "ok"

    @app.get("/get")
    def get_value() -> str:
        return str(session.get("who", "nobody"))

    return app


def test_a_request_without_a_cookie_gets_an_empty_session_and_no_cookie_back() -> None:
    client = _probe_app().test_client()
    response = client.get("/get")
    assert response.get_data(as_text=True) == "nobody"
    assert "Set-Cookie" not in response.headers


def test_a_signed_cookie_is_read_and_a_forged_one_is_ignored() -> None:
    client = _probe_app().test_client()
    assert "session=" in client.get("/set").headers["Set-Cookie"]
    assert client.get("/get").get_data(as_text=True) == "officer"
    client.set_cookie("session", "forged.value.here")
    assert client.get("/get").get_data(as_text=True) == "nobody"


def test_the_app_uses_it(app: Flask) -> None:
    assert isinstance(app.session_interface, CookieSessionsWhenPresent)
