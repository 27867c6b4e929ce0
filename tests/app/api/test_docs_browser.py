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

    operations = page.locator("details.op")
    assert operations.count() == 24
    assert page.locator("details.op[data-method=post][data-path='/api/v1/payments']").count() == 1
    assert "OpenAPI 3.1.0" in page.locator("#intro").inner_text()
    assert not errors, errors
    hosts = {urlparse(url).netloc for url in requested}
    assert hosts == {urlparse(live_api).netloc}, f"only our own server may be contacted: {hosts}"


def test_try_it_sends_a_real_request_from_the_docs_page(browser: object, live_api: str, demo: None) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(f"{live_api}/docs")
    page.wait_for_selector("body[data-ready=true]")
    services = page.locator("#get_services")
    services.locator("summary").click()
    services.locator("input[name=agency]").fill("PSCA")
    services.locator("button[type=submit]").click()
    result = services.locator("pre.result")
    result.filter(has_text="200").wait_for()
    text = result.inner_text()
    assert '"code": "ECC"' in text and '"code": "VVR"' in text

    me = page.locator("#get_me")
    me.locator("summary").click()
    me.locator("button[type=submit]").click()
    me.locator("pre.result").filter(has_text="401").wait_for()
    assert '"code": "unauthorized"' in me.locator("pre.result").inner_text()
