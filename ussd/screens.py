"""The citizen menu as data: every screen is a frozen dataclass, keyed by id.

Visible screens (Menu, Prompt, Pick, Final) are what the caller sees. Task
screens ask the shell for I/O (a service call) and route on its outcome; Branch
and Restore are decided purely from the session state. `rabta ussd menu` prints
this graph and the tests check that every target exists and every screen is
reachable.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

START = "start"
HOME = "home"
RESUME = "resume"
FAILURE = "failure"


@dataclass(frozen=True)
class Option:
    label: str  # text key, formatted with the session data
    target: str
    value: str | None = None  # stored under the menu's `field` when chosen


@dataclass(frozen=True)
class Menu:
    id: str
    title: str | None  # text key
    options: tuple[Option, ...] = ()
    body: str | None = None  # data key holding text shown under the title (paged with 98)
    field: str | None = None
    nav: bool = True  # the home screen has no Back/Home line


@dataclass(frozen=True)
class Prompt:
    id: str
    title: str
    parser: str  # name in ussd.inputs.PARSERS
    then: str
    field: str | None = None  # None: a secret (PIN), handed to the next task and never stored
    resume_to: str | None = None  # where a resumed session re-enters (secrets are not kept)


@dataclass(frozen=True)
class Pick:
    """A numbered list from the session data; numbering is global across pages."""

    id: str
    title: str
    items: str  # data key: list of {"value": ..., plus the fields of `item`}
    item: str  # text key of one line
    field: str
    then: str


@dataclass(frozen=True)
class Final:
    id: str
    title: str | None
    body: str | None = None


@dataclass(frozen=True)
class Task:
    id: str
    effect: str  # name in ussd.effects.EFFECTS
    outcomes: tuple[tuple[str, str], ...]  # (outcome, target); any other outcome -> FAILURE
    args: tuple[str, ...] = ()  # data keys handed to the effect

    def target(self, outcome: str) -> str:
        return dict(self.outcomes).get(outcome, FAILURE)


@dataclass(frozen=True)
class Branch:
    id: str
    test: str  # name in ussd.inputs.PREDICATES
    yes: str
    no: str


@dataclass(frozen=True)
class Restore:
    """Continue the session saved when the caller's previous one was cut off."""

    id: str
    fallback: str = HOME


Screen = Menu | Prompt | Pick | Final | Task | Branch | Restore
VISIBLE = (Menu, Prompt, Pick, Final)

_SCREENS: list[Screen] = [
    Task(START, "begin", (("home", HOME), ("resume", RESUME))),
    Menu(HOME, "ussd.home.title", (
        Option("ussd.home.pay", "pay.psid"),
        Option("ussd.home.status", "status.tracking"),
        Option("ussd.home.bills", "bills.load"),
        Option("ussd.home.language", "lang"),
        Option("ussd.home.verify", "verify.reference"),
    ), nav=False),
    Menu(RESUME, "ussd.resume.title", (
        Option("ussd.resume.continue", "resume.restore"),
        Option("ussd.resume.restart", HOME),
    )),
    Restore("resume.restore"),
    Final(FAILURE, "error.generic"),
    # Pay a bill or challan
    Prompt("pay.psid", "ussd.pay.psid", "psid", "pay.load", field="psid"),
    Task("pay.load", "load_bill", (
        ("unpaid", "pay.bill"), ("paid", "pay.closed"), ("blocked", "pay.closed"), ("in_flight", "pay.closed"),
        ("not_payable", "pay.closed"), ("not_found", "pay.unknown"),
    ), args=("psid",)),
    Menu("pay.bill", None, (Option("ussd.pay.confirm", "pay.route"),), body="bill_text"),
    # With more than one wallet on offer the payer picks one (the bill effect lists them only then).
    Branch("pay.route", "several_wallets", yes="pay.wallet", no="pay.auth"),
    Pick("pay.wallet", "ussd.pay.wallet", items="wallets", item="ussd.pay.wallet_item", field="wallet",
         then="pay.auth"),
    Branch("pay.auth", "pin_required", yes="pay.pin", no="pay.start"),
    Prompt("pay.pin", "ussd.pay.pin", "pin", "pay.start"),
    Task("pay.start", "start_payment", (
        ("started", "pay.done"), ("wrong_pin", "pay.pin"), ("locked", "pay.locked"), ("paid", "pay.closed"),
        ("blocked", "pay.closed"), ("in_flight", "pay.closed"), ("not_payable", "pay.closed"),
        ("not_found", "pay.unknown"),
    ), args=("psid",)),
    Final("pay.done", "ussd.pay.started"),
    Final("pay.locked", "error.pin_locked"),
    Menu("pay.closed", None, body="bill_text"),
    Menu("pay.unknown", "ussd.pay.unknown"),
    # Application status
    Prompt("status.tracking", "ussd.status.tracking", "tracking", "status.lookup", field="tracking"),
    Task("status.lookup", "lookup_status", (("found", "status.show"), ("not_found", "status.unknown")),
         args=("tracking",)),
    Menu("status.show", None, body="status_text"),
    Menu("status.unknown", "error.request_not_found"),
    # Verify a challan/receipt (payments.verification): anyone, nothing personal
    Prompt("verify.reference", "ussd.verify.reference", "reference", "verify.lookup", field="reference"),
    Task("verify.lookup", "verify_reference", (("answered", "verify.show"),), args=("reference",)),
    Menu("verify.show", None, body="verify_text"),
    # My bills
    Task("bills.load", "my_bills", (("list", "bills.list"), ("none", "bills.none"), ("no_account", "bills.link"))),
    Pick("bills.list", "ussd.bills.title", items="bills", item="ussd.bills.item", field="psid", then="pay.load"),
    Menu("bills.none", "ussd.bills.none"),
    Menu("bills.link", "ussd.bills.link_offer", (Option("ussd.bills.link", "link.cnic"),)),
    # Link the number to a CNIC: with the PIN the citizen has, or setting the first PIN (twice)
    Prompt("link.cnic", "ussd.link.cnic", "cnic", "link.route", field="cnic"),
    Branch("link.route", "has_pin", yes="link.current_pin", no="link.pin"),
    Prompt("link.current_pin", "ussd.link.current_pin", "pin", "link.prove"),
    Task("link.prove", "link_with_pin", (
        ("linked", "link.done_kept"), ("wrong_pin", "link.current_pin"), ("locked", "pay.locked"),
        ("cnic_taken", "link.cnic_taken"), ("cnic_fixed", "link.cnic_fixed"),
        ("pending", "link.pending"), ("not_verified", "link.not_verified"),
    ), args=("cnic",)),
    Menu("link.done_kept", "ussd.link.done_kept", (Option("ussd.link.my_bills", "bills.load"),)),
    Prompt("link.pin", "ussd.link.pin", "pin", "link.hold"),
    Task("link.hold", "hold_pin", (("ok", "link.pin_again"), ("weak", "link.pin"))),
    Prompt("link.pin_again", "ussd.link.pin_again", "pin", "link.save", resume_to="link.pin"),
    Task("link.save", "link_account", (
        ("linked", "link.done"), ("mismatch", "link.pin"), ("weak", "link.pin"), ("has_pin", "link.current_pin"),
        ("cnic_taken", "link.cnic_taken"), ("cnic_fixed", "link.cnic_fixed"),
        ("pending", "link.pending"), ("not_verified", "link.not_verified"),
    ), args=("cnic",)),
    Menu("link.done", "ussd.link.done", (Option("ussd.link.my_bills", "bills.load"),)),
    Menu("link.cnic_taken", "ussd.link.cnic_taken"),
    Menu("link.cnic_fixed", "ussd.link.cnic_fixed"),
    Menu("link.pending", "ussd.link.pending"),
    Menu("link.not_verified", "ussd.link.not_verified"),
    # Language
    Menu("lang", "ussd.lang.title", (
        Option("ussd.lang.en", "lang.save", "en"),
        Option("ussd.lang.ur", "lang.save", "ur"),
        Option("ussd.lang.ur_latn", "lang.save", "ur-Latn"),
    ), field="language"),
    Task("lang.save", "set_language", (("saved", HOME),), args=("language",)),
]

SCREENS: dict[str, Screen] = {screen.id: screen for screen in _SCREENS}
if len(SCREENS) != len(_SCREENS):
    raise RuntimeError("two USSD screens share an id")


def targets(screen: Screen) -> Iterator[str]:
    """Every screen id `screen` can lead to directly (navigation aside)."""
    if isinstance(screen, Menu):
        yield from (option.target for option in screen.options)
    elif isinstance(screen, Prompt):
        yield screen.then
        if screen.resume_to:
            yield screen.resume_to
    elif isinstance(screen, Pick):
        yield screen.then
    elif isinstance(screen, Task):
        yield from (target for _outcome, target in screen.outcomes)
        yield FAILURE
    elif isinstance(screen, Branch):
        yield from (screen.yes, screen.no)
    elif isinstance(screen, Restore):
        yield screen.fallback


def is_visible(screen_id: str) -> bool:
    return isinstance(SCREENS.get(screen_id), VISIBLE)
