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
from dataclasses import dataclass

from redis import Redis

from app.bills.models import BLOCKED, PAID
from app.bills.service import amount_payable_on, inquire_bill, unpaid_bills_for
from app.catalogue.models import Agency
from app.citizens.identity import mask_cnic
from app.citizens.models import Citizen
from app.citizens.pins import validate_new_pin
from app.citizens.service import (
    attempt_pin,
    find_by_msisdn,
    get_or_create_by_msisdn,
    register_citizen,
    set_cnic,
    set_language,
    set_pin,
)
from app.db import Database
from app.errors import (
    AlreadyExists,
    BillAlreadyPaid,
    BillBlocked,
    BillNotFound,
    BillNotPayable,
    InvalidPsid,
    InvalidTrackingNumber,
    PaymentInFlight,
    PinLocked,
    PinNotSet,
    ServiceRequestNotFound,
    ValidationFailed,
    WrongPin,
)
from app.messages.formatting import format_date, format_money
from app.timeutil import today
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


EffectFunction = Callable[[Context, State, Effect], Outcome]


def begin(ctx: Context, state: State, effect: Effect) -> Outcome:
    with ctx.db.transaction(immediate=False) as session:
        citizen = find_by_msisdn(session=session, msisdn=state.phone, region=ctx.region)
        updates = {"citizen_id": citizen.id, "language": citizen.language,
                   "has_pin": bool(citizen.pin_hash)} if citizen else {}
    snapshot = store.load_snapshot(ctx.redis, state.phone, not_session=state.session_id)
    if snapshot:
        return Outcome(effect.task, "resume", data={"_resume": snapshot}, updates=updates)
    return Outcome(effect.task, "home", updates=updates)


def load_bill(ctx: Context, state: State, effect: Effect) -> Outcome:
    lang = display_language(state.language)
    try:
        with ctx.db.transaction(immediate=False) as session:
            inquiry = inquire_bill(session=session, psid=str(effect.args["psid"]), language=lang)
    except (BillNotFound, InvalidPsid):
        return Outcome(effect.task, "not_found")
    if inquiry.status in (PAID, BLOCKED):
        return Outcome(effect.task, inquiry.status, data={"bill_text": inquiry.render(lang)})
    amount = format_money(inquiry.payable_now or 0, inquiry.currency)
    key = "ussd.pay.bill_overdue" if inquiry.is_overdue else "ussd.pay.bill"
    body = t(key, lang, agency=inquiry.agency_name, description=inquiry.description, psid=inquiry.psid,
             amount=amount, due=format_date(inquiry.due_date))
    return Outcome(effect.task, "unpaid", data={"bill_text": body, "amount": amount})


def start_payment(ctx: Context, state: State, effect: Effect) -> Outcome:
    from payments.service import start_payment as start  # the payments package owns the lifecycle

    refused = _check_pin(ctx, state, effect)
    if refused is not None:
        return refused
    lang = display_language(state.language)
    try:
        with ctx.db.transaction() as session:
            payment = start(session=session, psid=str(effect.args["psid"]), channel="ussd",
                            citizen_id=state.citizen_id, msisdn=state.phone)
            reference, amount = payment.reference, format_money(payment.amount, payment.currency)
    except (BillNotFound, InvalidPsid):
        return Outcome(effect.task, "not_found")
    except BillNotPayable as exc:
        outcome = {BillAlreadyPaid: "paid", BillBlocked: "blocked", PaymentInFlight: "in_flight"}.get(
            type(exc), "not_payable")
        return Outcome(effect.task, outcome, data={"bill_text": t(exc.message_key, lang)})
    log.info("USSD payment %s started session=%s", reference, state.session_id)
    return Outcome(effect.task, "started", data={"reference": reference, "amount": amount})


def _check_pin(ctx: Context, state: State, effect: Effect) -> Outcome | None:
    """Commit the attempt first (a rollback would forget a wrong try), then judge it."""
    if not (state.citizen_id and state.has_pin):
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
    with ctx.db.transaction(immediate=False) as session:
        citizen = (session.get(Citizen, state.citizen_id) if state.citizen_id
                   else find_by_msisdn(session=session, msisdn=state.phone, region=ctx.region))
        if citizen is None:
            return Outcome(effect.task, "no_account")
        bills = unpaid_bills_for(session=session, citizen_id=citizen.id or 0)[:MAX_LISTED_BILLS]
        on = today()
        items = []
        for bill in bills:
            agency = session.get(Agency, bill.agency_id)
            items.append({"value": bill.psid, "agency": agency.code if agency else "",
                          "description": bill.description,
                          "amount": format_money(amount_payable_on(bill, on), bill.currency)})
        has_cnic = bool(citizen.cnic)
    if items:
        return Outcome(effect.task, "list", data={"bills": items})
    return Outcome(effect.task, "none" if has_cnic else "no_account", data={"bills": None})


def lookup_status(ctx: Context, state: State, effect: Effect) -> Outcome:
    from app.applications.service import lookup_status as lookup

    lang = display_language(state.language)
    try:
        with ctx.db.transaction(immediate=False) as session:
            view = lookup(session=session, tracking_number=str(effect.args["tracking"]), language=lang)
    except (ServiceRequestNotFound, InvalidTrackingNumber):
        return Outcome(effect.task, "not_found")
    return Outcome(effect.task, "found", data={"status_text": view.render(lang)})


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
            set_cnic(session=session, citizen=citizen, cnic=str(effect.args["cnic"]))
            set_pin(session=session, citizen=citizen, new_pin=pin)
            session.flush()
            citizen_id, cnic = citizen.id, citizen.cnic
    except AlreadyExists:
        return Outcome(effect.task, "cnic_taken", data={"_pin_digest": None})
    except ValidationFailed as exc:
        outcome = "cnic_fixed" if "cnic" in exc.field_errors else "weak"
        return Outcome(effect.task, outcome, data={"_pin_digest": None})
    log.info("USSD linked citizen=%s cnic=%s", citizen_id, mask_cnic(cnic))
    return Outcome(effect.task, "linked", data={"_pin_digest": None, "cnic": mask_cnic(cnic)},
                   updates={"citizen_id": citizen_id, "has_pin": True})


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
    "hold_pin": hold_pin,
    "link_account": link_account,
    "set_language": save_language,
}
