"""The console in a real browser (Debian's chromium): the issue's journeys, an axe scan of every page, right-to-
left Urdu, CSV export matching the filters, and nothing requested from another origin."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.runtime import Runtime
from app.seed import DEMO_PASSWORD
from app.settings import Settings
from tests.console.refund_support import make_refund_case
from tests.fixtures.browser import BrowserPage
from tests.fixtures.payments import RunningSandbox
from tests.fixtures.sms import FakeAfricasTalking, FakeTwilio
from tests.sms.conftest import sms_overrides

RunJobs = Callable[[], None]


@pytest.fixture
def settings(base_settings: Settings, payment_overrides: dict[str, Any], fake_twilio: FakeTwilio,
             fake_at: FakeAfricasTalking) -> Settings:
    """The wallet rail and the Twilio fake, with our live server's own URL as the public one."""
    overrides = {**sms_overrides(fake_twilio, fake_at), **payment_overrides}
    return base_settings.model_copy(update=overrides)


def sign_in(browser: BrowserPage, base: str, email: str) -> None:
    page = browser.page
    page.goto(f"{base}/console/login")
    browser.assert_accessible("sign in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Inbox").wait_for()


def test_an_officer_approves_an_application_and_the_citizen_gets_the_sms(
        browser_page: BrowserPage, wallet: RunningSandbox, live_app: str, demo: None, run_jobs: RunJobs,
        fake_twilio: FakeTwilio) -> None:
    page = browser_page.page
    sign_in(browser_page, live_app, "officer@dc.demo")
    browser_page.assert_accessible("inbox")
    page.get_by_role("link", name="DOM-2026-000001").click()
    page.get_by_role("heading", name="DOM-2026-000001").wait_for()
    browser_page.assert_accessible("application")
    page.get_by_label("Note to the record").fill("Documents verified at the counter")
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("Moved to Approved. The citizen is being told.").wait_for()
    assert page.locator("#current-status").inner_text() == "Approved"
    assert "Documents verified at the counter" in page.locator(".timeline").inner_text()

    run_jobs()  # the outbox drain and the SMS send
    [sms] = [r for r in fake_twilio.requests if "DOM-2026-000001" in r.form.get("Body", "")]
    assert sms.form["To"] == "+923001234567"

    browser_page.expected_errors.append("status of 404")  # the page we asked for on purpose
    answer = page.goto(f"{live_app}/console/applications/PSP-2026-000002")
    assert answer is not None and answer.status == 404
    page.get_by_role("heading", name="Not found").wait_for()
    browser_page.assert_accessible("404")
    browser_page.assert_clean(live_app)


def test_a_supervisor_takes_a_refund_case_to_refunded(
        browser_page: BrowserPage, wallet: RunningSandbox, live_app: str, demo: None, runtime: Runtime,
        run_jobs: RunJobs) -> None:
    reference = make_refund_case(runtime, run_jobs, wallet, "+923001112223")
    page = browser_page.page
    sign_in(browser_page, live_app, "supervisor@psca.demo")
    page.get_by_role("link", name="Cases").click()
    browser_page.assert_accessible("cases")
    page.get_by_role("link", name=reference).click()
    browser_page.assert_accessible("refund case")
    page.get_by_role("button", name="Approve refund").click()
    page.get_by_text("Refund approved; it is being sent.").wait_for()
    run_jobs()  # the refund job asks the wallet
    page.reload()
    assert page.locator("#payment-status").inner_text() == "Refunded"
    browser_page.assert_clean(live_app)


def test_csv_export_matches_the_filters_on_screen(browser_page: BrowserPage, wallet: RunningSandbox, live_app: str,
                                                 demo: None, tmp_path: Path) -> None:
    page = browser_page.page
    sign_in(browser_page, live_app, "admin@rabta.demo")
    page.get_by_role("link", name="Bills").click()
    page.get_by_label("Status").select_option("unpaid")
    page.get_by_label("Kind").select_option("challan")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/console/bills?*")
    shown = page.locator("table tbody tr td:first-child").all_inner_texts()
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    target = tmp_path / "bills.csv"
    download.value.save_as(target)
    with target.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["psid"] for r in rows) == sorted(shown) and len(rows) == 5
    assert {(r["status"], r["kind"]) for r in rows} == {("unpaid", "challan")}
    browser_page.assert_clean(live_app)


def test_urdu_renders_right_to_left_and_every_page_passes_the_accessibility_scan(
        browser_page: BrowserPage, wallet: RunningSandbox, live_app: str, demo: None) -> None:
    page = browser_page.page
    sign_in(browser_page, live_app, "admin@rabta.demo")
    pages = ["/console/", "/console/applications/DOM-2026-000001", "/console/bills", "/console/bills/new",
             "/console/bills/10000000000000005", "/console/payments", "/console/cases",
             "/console/citizens?q=03001234567", "/console/keys", "/console/officers", "/console/audit",
             "/console/providers?errors=1"]
    for path in pages:
        page.goto(f"{live_app}{path}")
        browser_page.assert_accessible(path)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_app}/console/")
    browser_page.assert_accessible("inbox at 360 px")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360

    page.get_by_role("button", name="اردو").click()
    page.get_by_role("heading", name="ان باکس").wait_for()
    html = page.locator("html")
    assert (html.get_attribute("dir"), html.get_attribute("lang")) == ("rtl", "ur")
    assert page.evaluate("() => getComputedStyle(document.body).direction") == "rtl"
    for path in pages[:3]:
        page.goto(f"{live_app}{path}")
        assert page.locator("html").get_attribute("dir") == "rtl"
        browser_page.assert_accessible(f"{path} (ur)")
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Bills and challans").wait_for()
    browser_page.assert_clean(live_app)
