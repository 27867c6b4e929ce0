"""The I/O behind Task screens: each effect calls the service layer and names an outcome.

Effects are quick (a few indexed queries); anything that talks to a provider is
left to the queue (the wallet charge is enqueued by the payments service after
commit). A PIN reaches an effect only as `Effect.secret` and is never stored,
echoed or logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from redis import Redis

from app.applications.service import Viewer
from app.applications.service import lookup_status as lookup
from app.bills.service import amount_payable_on, inquiry_of, unpaid_bills_for
from app.citizens.identity import mask_cnic
from app.citizens.pins import pin_required_to_pay, validate_new_pin
from app.citizens.service import (
    account_and_cnic_linked,
    attempt_pin,
    caller_by_msisdn,
    change_pin,
    find_by_msisdn,
    get_or_create_by_msisdn,
    register_citizen,
    set_language,
)
from app.db import Database
from app.errors import (
    AlreadyExists,
    BillAlreadyPaid,
    BillBlocked,
    BillNotFound,
    BillNotPayable,
    IdentityNotVerified,
    InvalidPsid,
    InvalidTrackingNumber,
    PaymentInFlight,
    PinLocked,
    PinNotSet,
    ServiceRequestNotFound,
    ValidationFailed,
    WrongPin,
)
from app.identity.port import IdentityPort
from app.identity.sandbox import SandboxIdentity
from app.identity.service import link_cnic
from app.identity.simswap import arm_sim_swap_hold
from app.messages.formatting import format_date, format_money
from app.timeutil import local_today
from payments.payability import ALREADY_PAID, IN_FLIGHT, IS_BLOCKED, UNKNOWN, payability_of
from payments.providers import Wallets
from payments.service import start_payment as start
from payments.verification import verify_reference
from ussd import store
from ussd.engine import Effect, Outcome, State
from ussd.render import display_language, t

log = logging.getLogger("rabta.ussd")

MAX_LISTED_BILLS = 90  # list numbers stay clear of the navigation numbers (98)


@dataclass(frozen=True)
class Context:
    db: Database
    redis: Redis
    secret_key: str
    region: str
    wallets: Wallets
    zone: str  # the deployment's time zone: a bill's price is the price on the citizen's calendar day
    identity: IdentityPort = field(default_factory=SandboxIdentity)  # proof that a number holds a CNIC
    sim_swap_hold_hours: int = 24

    def today(self) -> date:
        return local_today(self.zone)


EffectFunction = Callable[[Context, State, Effect], Outcome]


def begin(ctx: Context, state: State, effect: Effect) -> Outcome:
    if ctx.identity.sim_changed_recently(state.phone):  # rare: arm the hold (and tell the number) once
        with ctx.db.transaction() as session:
            changed = find_by_msisdn(session=session, msisdn=state.phone, region=ctx.region)
            if changed is not None:
                arm_sim_swap_hold(session=session, citizen=changed, identity=ctx.identity,
                                  hours=ctx.sim_swap_hold_hours)
    with ctx.db.reading() as session:
        caller = caller_by_msisdn(session=session, msisdn=state.phone, region=ctx.region)
    updates = {"citizen_id": caller.citizen_id, "language": caller.language,
               "has_pin": caller.has_pin} if caller else {}
    snapshot = store.load_snapshot(ctx.redis, state.phone, not_session=state.session_id)
    if snapshot:
        return Outcome(effect.task, "resume", data={"_resume": snapshot}, updates=updates)
    return Outcome(effect.task, "home", updates=updates)


# Why a bill cannot be paid (payments.payability) -> the outcome the bill screen routes on.
_REFUSALS = {ALREADY_PAID: "paid", IS_BLOCKED: "blocked", IN_FLIGHT: "in_flight"}


def load_bill(ctx: Context, state: State, effect: Effect) -> Outcome:
    lang, today = display_language(state.language), ctx.today()
    try:
        with ctx.db.reading() as session:
            answer = payability_of(session=session, psid=str(effect.args["psid"]), on=today)
    except InvalidPsid:
        return Outcome(effect.task, "not_found")
    inquiry = inquiry_of(answer.bill, today, lang) if answer.bill else None
    if inquiry is None or answer.reason == UNKNOWN:
        return Outcome(effect.task, "not_found")
    if answer.reason is not None:  # said up front, before any PIN is asked for
        error = answer.error
        body = inquiry.render(lang) if answer.reason in (ALREADY_PAID, IS_BLOCKED) else t(
            error.message_key if error else "error.bill_not_payable", lang)
        return Outcome(effect.task, _REFUSALS.get(answer.reason, "not_payable"), data={"bill_text": body})
    amount = format_money(answer.amount or 0, inquiry.currency)
    key = "ussd.pay.bill_overdue" if inquiry.is_overdue else "ussd.pay.bill"
    body = t(key, lang, agency=inquiry.agency_name, description=inquiry.description, psid=inquiry.psid,
             amount=amount, due=format_date(inquiry.due_date))
    wallets = [{"value": name, "title": ctx.wallets.title(name)} for name in ctx.wallets.names]
    return Outcome(effect.task, "unpaid", data={"bill_text": body, "amount": amount,
                                                "wallets": wallets if len(wallets) > 1 else None})


def start_payment(ctx: Context, state: State, effect: Effect) -> Outcome:
    refused = _check_pin(ctx, state, effect)
    if refused is not None:
        return refused
    lang = display_language(state.language)
    try:
        with ctx.db.transaction() as session:
            payment = start(session=session, psid=str(effect.args["psid"]), channel="ussd",
                            wallet=ctx.wallets.choose(state.data.get("wallet")), today=ctx.today(),
                            citizen_id=state.citizen_id, msisdn=state.phone, region=ctx.region)
            reference, amount = payment.reference, format_money(payment.amount, payment.currency)
    except (InvalidPsid, BillNotFound):
        return Outcome(effect.task, "not_found")
    except BillNotPayable as exc:  # the bill changed between the bill screen and the PIN
        outcome = {BillAlreadyPaid: "paid", BillBlocked: "blocked", PaymentInFlight: "in_flight"}.get(
            type(exc), "not_payable")
        return Outcome(effect.task, outcome, data={"bill_text": t(exc.message_key, lang)})
    except ValidationFailed as exc:  # a wallet no longer offered
        return Outcome(effect.task, "not_payable", data={"bill_text": t(exc.message_key, lang)})
    log.info("USSD payment %s started session=%s", reference, state.session_id)
    return Outcome(effect.task, "started", data={"reference": reference, "amount": amount})


def _check_pin(ctx: Context, state: State, effect: Effect) -> Outcome | None:
    """Commit the attempt first (a rollback would forget a wrong try), then judge it."""
    if not (state.citizen_id and pin_required_to_pay(has_pin=state.has_pin, channel="ussd")):
        return None
    with ctx.db.transaction() as session:
        outcome = attempt_pin(session=session, citizen_id=state.citizen_id, pin=effect.secret or "")
    try:
        outcome.raise_if_failed()
    except PinLocked:
        return Outcome(effect.task, "locked")
    except WrongPin as exc:
        left = exc.params.get("attempts_left", 0)
        return Outcome(effect.task, "wrong_pin", error=("ussd.reason.pin_wrong", {"left": left}))
    except PinNotSet:
        return None  # the PIN was removed meanwhile: the wallet's own approval still guards the money
    return None


def my_bills(ctx: Context, state: State, effect: Effect) -> Outcome:
    with ctx.db.reading() as session:
        account = account_and_cnic_linked(session=session, citizen_id=state.citizen_id, msisdn=state.phone,
                                          region=ctx.region)
        if account is None:
            return Outcome(effect.task, "no_account")
        citizen_id, has_cnic = account
        bills = unpaid_bills_for(session=session, citizen_id=citizen_id)[:MAX_LISTED_BILLS]
    today = ctx.today()
    # The list shows what each costs today; whether it can be paid now is asked when one is chosen.
    items = [{"value": bill.psid, "agency": bill.code or "", "description": bill.description,
              "amount": format_money(amount_payable_on(bill, today), bill.currency)} for bill in bills]
    if items:
        return Outcome(effect.task, "list", data={"bills": items})
    return Outcome(effect.task, "none" if has_cnic else "no_account", data={"bills": None})


def lookup_status(ctx: Context, state: State, effect: Effect) -> Outcome:
    lang = display_language(state.language)
    viewer = Viewer(citizen_id=state.citizen_id)  # the caller's own applications only
    try:
        with ctx.db.reading() as session:
            view = lookup(session=session, tracking_number=str(effect.args["tracking"]), viewer=viewer,
                          language=lang)
    except (ServiceRequestNotFound, InvalidTrackingNumber):
        return Outcome(effect.task, "not_found")
    return Outcome(effect.task, "found", data={"status_text": view.render(lang)})


def verify(ctx: Context, state: State, effect: Effect) -> Outcome:
    lang = display_language(state.language)
    with ctx.db.reading() as session:
        answer = verify_reference(session=session, reference=str(effect.args["reference"]), on=ctx.today(),
                                  language=lang)
    return Outcome(effect.task, "answered", data={"verify_text": answer.render(lang)})


def _pin_digest(ctx: Context, state: State, pin: str) -> str:
    """Keyed and bound to the session: what we hold between the two PIN entries, never the PIN."""
    message = f"ussd-new-pin:{state.session_id}:{pin}".encode()
    return hmac.new(ctx.secret_key.encode(), message, hashlib.sha256).hexdigest()


def hold_pin(ctx: Context, state: State, effect: Effect) -> Outcome:
    try:
        validate_new_pin(effect.secret or "")
    except ValidationFailed:
        return Outcome(effect.task, "weak", error=("ussd.reason.pin_weak", {}))
    return Outcome(effect.task, "ok", data={"_pin_digest": _pin_digest(ctx, state, effect.secret or "")})


def link_account(ctx: Context, state: State, effect: Effect) -> Outcome:
    """Link the number to a CNIC and set the first PIN (entered twice). A citizen who already has a
    PIN goes through `link_with_pin` instead: a PIN is never replaced without the old one."""
    pin = effect.secret or ""
    held = str(state.data.get("_pin_digest") or "")
    if not held or not hmac.compare_digest(held, _pin_digest(ctx, state, pin)):
        return Outcome(effect.task, "mismatch", data={"_pin_digest": None},
                       error=("ussd.reason.pin_mismatch", {}))
    try:
        with ctx.db.transaction() as session:
            citizen = (find_by_msisdn(session=session, msisdn=state.phone, region=ctx.region)
                       or register_citizen(session=session, msisdn=state.phone, language=state.language,
                                           region=ctx.region))
            if citizen.pin_hash:  # set meanwhile (another channel): prove it first
                return Outcome(effect.task, "has_pin", data={"_pin_digest": None}, updates={"has_pin": True})
            change_pin(session=session, citizen=citizen, new_pin=pin)
            linked = link_cnic(session=session, citizen=citizen, cnic=str(effect.args["cnic"]),
                               identity=ctx.identity)
            citizen_id, cnic = citizen.id, citizen.cnic
    except IdentityNotVerified:
        return Outcome(effect.task, "not_verified", data={"_pin_digest": None})
    except AlreadyExists:
        return Outcome(effect.task, "cnic_taken", data={"_pin_digest": None})
    except ValidationFailed as exc:
        outcome = "cnic_fixed" if "cnic" in exc.field_errors else "weak"
        return Outcome(effect.task, outcome, data={"_pin_digest": None})
    if linked.outcome == "pending":  # the PIN is set; the CNIC waits for an officer
        return Outcome(effect.task, "pending", data={"_pin_digest": None},
                       updates={"citizen_id": citizen_id, "has_pin": True})
    log.info("USSD linked citizen=%s cnic=%s", citizen_id, mask_cnic(cnic))
    return Outcome(effect.task, "linked", data={"_pin_digest": None, "cnic": mask_cnic(cnic)},
                   updates={"citizen_id": citizen_id, "has_pin": True})


def link_with_pin(ctx: Context, state: State, effect: Effect) -> Outcome:
    """Link the number to a CNIC for a citizen who has a PIN: the PIN proves it is them (and counts
    towards the lockout like any PIN attempt); the PIN itself is left as it is."""
    refused = _check_pin(ctx, state, effect)
    if refused is not None:
        return refused
    try:
        with ctx.db.transaction() as session:
            citizen = find_by_msisdn(session=session, msisdn=state.phone, region=ctx.region)
            if citizen is None:
                return Outcome(effect.task, "error")
            linked = link_cnic(session=session, citizen=citizen, cnic=str(effect.args["cnic"]),
                               identity=ctx.identity)
            citizen_id, cnic = citizen.id, citizen.cnic
    except IdentityNotVerified:
        return Outcome(effect.task, "not_verified")
    except AlreadyExists:
        return Outcome(effect.task, "cnic_taken")
    except ValidationFailed:
        return Outcome(effect.task, "cnic_fixed")
    if linked.outcome == "pending":
        return Outcome(effect.task, "pending")
    log.info("USSD linked citizen=%s cnic=%s (PIN kept)", citizen_id, mask_cnic(cnic))
    return Outcome(effect.task, "linked", data={"cnic": mask_cnic(cnic)}, updates={"citizen_id": citizen_id})


def save_language(ctx: Context, state: State, effect: Effect) -> Outcome:
    language = str(effect.args.get("language") or "en")
    with ctx.db.transaction() as session:
        citizen = get_or_create_by_msisdn(session=session, msisdn=state.phone, region=ctx.region)
        set_language(session=session, citizen=citizen, language=language)
        session.flush()
        citizen_id = citizen.id
    return Outcome(effect.task, "saved", updates={"language": language, "citizen_id": citizen_id},
                   notice="ussd.notice.language")


EFFECTS: dict[str, EffectFunction] = {
    "begin": begin,
    "load_bill": load_bill,
    "start_payment": start_payment,
    "my_bills": my_bills,
    "lookup_status": lookup_status,
    "verify_reference": verify,
    "hold_pin": hold_pin,
    "link_account": link_account,
    "link_with_pin": link_with_pin,
    "set_language": save_language,
}
