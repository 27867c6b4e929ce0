"""The /docs page in a real browser (Debian's chromium driven by playwright)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM):
        # CI installs Debian's chromium (.ci/run): there a missing browser is a failure, not a skip.
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run should have installed it")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


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
