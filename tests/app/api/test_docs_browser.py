"""The /docs page in a real browser (Debian's chromium driven by playwright)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def browser(chromium: Any) -> Any:
    """The session's one chromium (tests/fixtures/browser.py): playwright's sync API allows one per process."""
    return chromium


def test_the_docs_page_renders_every_operation_from_local_assets_only(browser: object, live_api: str,
                                                                       demo: None) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_api}/docs")
    page.wait_for_selector("body[data-ready=true]")
    page.locator(".opblock").first.wait_for()

    operations = page.locator(".opblock")
    assert operations.count() == 24
    payments = page.locator(".opblock-post .opblock-summary-path[data-path='/api/v1/payments']")
    assert payments.count() == 1
    assert "OAS 3.1" in page.locator(".info").inner_text()
    # Descriptions are rendered as Markdown: `code` becomes code, no literal backticks.
    assert page.locator(".info .description code", has_text="code").count() == 1
    assert "`" not in page.locator(".info .description").inner_text()
    assert not errors, errors  # includes any Content-Security-Policy violation
    hosts = {urlparse(url).netloc for url in requested}
    assert hosts == {urlparse(live_api).netloc}, f"only our own server may be contacted: {hosts}"


RESPONSE_BODY = ".live-responses-table .response-col_description .microlight"


def _operation(page: object, operation_id: str) -> object:
    operation = page.locator(f".opblock[id$='-{operation_id}']")  # type: ignore[attr-defined]
    operation.locator(".opblock-summary-control").click()
    return operation


def test_try_it_sends_a_real_request_from_the_docs_page(browser: object, live_api: str, demo: None) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(f"{live_api}/docs")
    page.wait_for_selector("body[data-ready=true]")
    services = _operation(page, "get_services")
    services.locator("input[placeholder=agency]").fill("PSCA")  # type: ignore[attr-defined]
    services.locator("button.execute").click()  # type: ignore[attr-defined]
    status = services.locator(".live-responses-table .response-col_status")  # type: ignore[attr-defined]
    status.filter(has_text="200").wait_for()
    text = services.locator(RESPONSE_BODY).first.inner_text()  # type: ignore[attr-defined]
    assert '"code": "ECC"' in text and '"code": "VVR"' in text

    me = _operation(page, "get_me")
    me.locator("button.execute").click()  # type: ignore[attr-defined]
    me.locator(".live-responses-table .response-col_status").filter(has_text="401").wait_for()  # type: ignore
    assert '"code": "unauthorized"' in me.locator(RESPONSE_BODY).first.inner_text()  # type: ignore[attr-defined]
