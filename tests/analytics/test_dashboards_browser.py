"""The dashboards and the public page in a real browser: no console errors (CSP included), no request to
another host, and no axe-core violation (vendored, tests/static/axe-core, 4.10.3)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from flask import Flask
from werkzeug.serving import make_server

from app.officers_scope import OfficerScope
from tests.analytics.test_dashboards import BOARDS
from tests.support import free_port

playwright_api = pytest.importorskip("playwright.sync_api")

AXE = Path(__file__).resolve().parents[1] / "static" / "axe-core" / "axe.min.js"


@pytest.fixture
def browser(chromium: Any) -> Any:
    """The session's one chromium (tests/fixtures/browser.py): playwright's sync API allows one per process."""
    return chromium


@pytest.fixture
def live(app: Flask) -> Iterator[str]:
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=10)


def _check(browser: object, url: str) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(url)
    assert response.status == 200, url
    page.evaluate(AXE.read_text())  # evaluated by the test, not loaded by the page: its CSP stays strict
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert violations == [], f"{url}: {violations}"
    assert not errors, f"{url}: {errors}"
    assert {urlparse(u).netloc for u in requested} == {urlparse(url).netloc}
    page.close()


def test_the_dashboards_render_cleanly_and_pass_the_accessibility_scan(
        browser: object, live: str, two_agencies: object, sign_in: Callable[..., OfficerScope]) -> None:
    sign_in("admin")
    for board in BOARDS:
        _check(browser, f"{live}/console/dashboards/{board}?range=30d")


def test_the_public_performance_page_renders_cleanly_and_passes_the_accessibility_scan(
        browser: object, live: str, two_agencies: object) -> None:
    _check(browser, f"{live}/performance")
