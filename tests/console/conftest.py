"""Console tests: the demo data and its officers, signed in through the real sign-in form."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.seed import DEMO_PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(page: TestResponse | str) -> str:
    html = page if isinstance(page, str) else page.get_data(as_text=True)
    found = CSRF.search(html)
    assert found is not None, "the page has no CSRF token"
    return found.group(1)


def sign_in(client: FlaskClient, email: str, password: str = DEMO_PASSWORD) -> TestResponse:
    form = client.get("/console/login")
    return client.post("/console/login", data={"email": email, "password": password,
                                               "csrf_token": csrf_token(form)})


class Console:
    """A browser-like client signed in as one officer: `post` fetches the page's CSRF token first."""

    def __init__(self, client: FlaskClient, email: str) -> None:
        self.client = client
        self.email = email
        answer = sign_in(client, email)
        assert answer.status_code == 303, answer.get_data(as_text=True)

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict[str, Any], token_from: str = "/console/",
             follow: bool = False) -> TestResponse:
        token = csrf_token(self.client.get(token_from))
        return self.client.post(path, data={"csrf_token": token, **data}, follow_redirects=follow)


@pytest.fixture
def console_as(app: Any, demo: None) -> Callable[[str], Console]:
    def make(email: str) -> Console:
        return Console(app.test_client(), email)
    return make


@pytest.fixture
def dc_officer(console_as: Callable[[str], Console]) -> Console:
    return console_as("officer@dc.demo")


@pytest.fixture
def psca_supervisor(console_as: Callable[[str], Console]) -> Console:
    return console_as("supervisor@psca.demo")


@pytest.fixture
def admin(console_as: Callable[[str], Console]) -> Console:
    return console_as("admin@rabta.demo")
