"""The simulator in a real browser (Debian's chromium driven by playwright), on the real endpoints, with a
real RQ worker and the sandbox wallet: every name the tests use is the accessible-name contract of issue 12."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.fixtures.payments import RunningSandbox
from tests.fixtures.ussd import AYESHA, AYESHA_PIN, BILAL, holds_pin

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


@pytest.fixture
def browser(chromium: Any) -> Any:
    """The session's one chromium (tests/fixtures/browser.py): playwright's sync API allows one per process."""
    return chromium


class Watched:
    """A page whose console errors, page errors, 5xx answers and foreign requests are collected."""

    def __init__(self, page: Any, base: str) -> None:
        self.page, self.base = page, base
        self.errors: list[str] = []
        self.server_errors: list[str] = []
        self.hosts: set[str] = set()
        page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("response", lambda response: self.server_errors.append(f"{response.status} {response.url}")
                if response.status >= 500 else None)
        page.on("request", lambda request: self.hosts.add(urlparse(request.url).netloc))

    def check(self) -> None:
        assert "HTTP 5" not in self.page.inner_text("body")  # no hop or text got a 5xx from the webhooks
        assert not self.errors, self.errors
        assert not self.server_errors, self.server_errors
        assert self.hosts == {urlparse(self.base).netloc}, f"only our own server may be contacted: {self.hosts}"


@pytest.fixture
def simulator(browser: Any, live_app: str, demo: None) -> Iterator[Watched]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    watched = Watched(page, live_app)
    page.goto(f"{live_app}/simulator")
    yield watched
    page.close()


def phone(page: Any, number: str) -> Any:
    return page.get_by_role("region", name=f"Phone {number}", exact=True)


def screen(unit: Any) -> Any:
    return unit.get_by_role("log")


def answer(unit: Any, value: str) -> None:
    unit.get_by_label("Reply", exact=True).fill(value)
    unit.get_by_role("button", name="Send", exact=True).click()


def dial(unit: Any) -> None:
    unit.get_by_role("button", name="Call", exact=True).click()
    expect(screen(unit)).to_contain_text(re.compile("Rabta govt services|Rabta sarkari khidmat|cut off|toot gaya"))


def add_phone(page: Any, number: str) -> Any:
    page.get_by_label("Phone number", exact=True).fill(number)
    page.get_by_role("button", name="Add phone", exact=True).click()
    unit = phone(page, number)
    expect(unit).to_be_visible()
    return unit


def panel(page: Any, number: str) -> Any:
    return page.get_by_role("region", name=f"Events for {number}", exact=True)


def test_ayesha_checks_her_application_then_pays_with_her_pin_and_the_receipt_reaches_her_inbox(
        simulator: Watched, wallet: RunningSandbox, start_worker: Callable[[], subprocess.Popen[bytes]]) -> None:
    start_worker()
    page = simulator.page
    ayesha = phone(page, AYESHA)  # a new page starts with the first demo citizen
    expect(ayesha).to_be_visible()
    dial(ayesha)
    answer(ayesha, "2")
    expect(screen(ayesha)).to_contain_text("tracking")
    answer(ayesha, "DOM-2026-000001")
    expect(screen(ayesha)).to_contain_text("Under review")
    answer(ayesha, "00")
    expect(screen(ayesha)).to_contain_text("Rabta govt services")
    ayesha.get_by_role("button", name="1", exact=True).click()  # the keypad types too
    ayesha.get_by_role("button", name="Send", exact=True).click()
    expect(screen(ayesha)).to_contain_text("PSID")
    answer(ayesha, "10000000000000001")
    expect(screen(ayesha)).to_contain_text("10000000000000001")
    answer(ayesha, "1")
    expect(screen(ayesha)).to_contain_text("PIN")
    expect(ayesha.get_by_label("Reply", exact=True)).to_have_attribute("type", "password")
    answer(ayesha, AYESHA_PIN)
    expect(screen(ayesha)).to_contain_text("Payment of Rs 1,500 started")

    inbox = ayesha.get_by_role("list", name="Inbox")
    expect(inbox).to_contain_text("received for PSID 10000000000000001", timeout=30_000)
    events = panel(page, AYESHA)
    expect(events).to_contain_text("payment_receipt")
    expect(events).to_contain_text("start_payment → started")
    expect(events).to_contain_text("pay.pin")
    assert not holds_pin(events.inner_text())
    assert "****" in events.inner_text()
    simulator.check()


def test_bilal_texts_bill_and_gets_the_after_due_amount(
        simulator: Watched, start_worker: Callable[[], subprocess.Popen[bytes]]) -> None:
    start_worker()
    page = simulator.page
    bilal = add_phone(page, BILAL)
    bilal.get_by_label("Message", exact=True).fill("BILL 10000000000000004")
    bilal.get_by_role("button", name="Send SMS", exact=True).click()
    events = panel(page, BILAL)
    expect(events).to_contain_text("BILL")
    inbox = bilal.get_by_role("list", name="Inbox")
    expect(inbox).to_contain_text("10000000000000004", timeout=30_000)
    expect(inbox).to_contain_text("1,500")  # Rs 1,000 within the due date, 1,500 after: it is 5 days late
    assert re.search("[\u0600-\u06ff]", inbox.inner_text())  # Bilal reads Urdu script by SMS...
    assert inbox.locator(".body").first.get_attribute("dir") == "auto"  # ...laid out right to left
    expect(inbox).to_contain_text("UCS-2")
    expect(events).to_contain_text("reply")
    expect(events).to_contain_text("UCS-2")
    simulator.check()


def test_a_dropped_call_resumed_within_five_minutes_offers_to_continue(simulator: Watched) -> None:
    page = simulator.page
    ayesha = phone(page, AYESHA)
    dial(ayesha)
    answer(ayesha, "1")
    expect(screen(ayesha)).to_contain_text("PSID")
    answer(ayesha, "10000000000000001")
    expect(screen(ayesha)).to_contain_text("1,500")
    ayesha.get_by_role("button", name="End call", exact=True).click()
    expect(screen(ayesha)).to_contain_text("Call ended")
    expect(panel(page, AYESHA)).to_contain_text("Incomplete")
    ayesha.get_by_role("button", name="Call", exact=True).click()
    expect(screen(ayesha)).to_contain_text("Your last session was cut off")
    answer(ayesha, "1")
    expect(screen(ayesha)).to_contain_text("10000000000000001")
    simulator.check()


def test_two_phones_in_parallel_do_not_mix_their_sessions(simulator: Watched) -> None:
    page = simulator.page
    ayesha = phone(page, AYESHA)
    bilal = add_phone(page, BILAL)
    dial(ayesha)
    dial(bilal)
    ayesha.get_by_role("button", name="Call", exact=True).focus()
    page.keyboard.press("2")  # the keyboard is a keypad too
    expect(ayesha.get_by_label("Reply", exact=True)).to_have_value("2")
    ayesha.get_by_role("button", name="Send", exact=True).click()
    answer(bilal, "1")
    expect(screen(ayesha)).to_contain_text("tracking")
    expect(screen(bilal)).to_contain_text("PSID")
    answer(bilal, "10000000000000005")
    answer(ayesha, "DOM-2026-000001")
    expect(screen(ayesha)).to_contain_text("Under review")
    expect(screen(bilal)).to_contain_text("DC ne rok diya hai")
    assert "Under review" not in screen(bilal).inner_text()
    assert "rok diya" not in screen(ayesha).inner_text()
    simulator.check()


def test_an_unanswered_screen_times_out_and_the_next_call_offers_to_continue(
        browser: Any, live_app: str, demo: None, runtime: Any) -> None:
    runtime.settings.SIMULATOR_IDLE_TIMEOUT_SECONDS = 3
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone-sized browser
    watched = Watched(page, live_app)
    page.goto(f"{live_app}/simulator")
    bilal = add_phone(page, BILAL)
    dial(bilal)
    expect(screen(bilal)).to_contain_text("Rabta sarkari khidmat")  # Roman Urdu on USSD
    answer(bilal, "1")
    expect(screen(bilal)).to_contain_text("PSID")
    expect(screen(bilal)).to_contain_text("Session timed out", timeout=10_000)
    expect(panel(page, BILAL)).to_contain_text("Incomplete (timeout)")
    bilal.get_by_role("button", name="Call", exact=True).click()
    expect(screen(bilal)).to_contain_text("pichla session toot gaya")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # nothing runs off screen
    watched.check()
    page.close()
