"""The one SMS keyword handler: a parsed text in, a reply out.

Every answer about a domain fact comes from the same service and the same
rendering the USSD menu and the app use; this module only picks the service and
the language. No PIN ever travels by SMS: `PAY` answers with a one-time code the
citizen texts back (`YES <code>`) and the wallet asks for approval on the phone.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from redis import Redis
from sqlmodel import Session

from app.applications.service import Viewer, lookup_status
from app.bills.service import inquire_bill, inquiry_of, unpaid_bills_for
from app.citizens.service import Caller, caller_by_msisdn, get_or_create_by_msisdn, set_language, set_sms_reminders
from app.errors import DomainError
from app.messages import text
from app.messages.formatting import format_date, format_money
from payments.payability import payability_of
from payments.providers import Wallets
from payments.service import start_payment
from payments.verification import verify_reference
from sms import parsing
from sms.parsing import Parsed
from sms.throttle import first_in_window

log = logging.getLogger("rabta.sms.commands")

PAY_CODE_TTL_SECONDS = 600
BILLS_LISTED = 3
REPLY, PAY_CODE = "reply", "pay_code"
# Commands that keep a preference, so they create the account of a first-time texter.
_MAY_REGISTER = frozenset({parsing.LANG, parsing.STOP, parsing.START})
_WRITING = _MAY_REGISTER | {parsing.YES}


@dataclass(frozen=True)
class Context:
    session: Session
    redis: Redis
    msisdn: str
    citizen: Caller | None  # who is texting, in brief; a command that changes the account loads it whole
    language: str
    region: str
    today: date
    wallets: Wallets


@dataclass(frozen=True)
class Result:
    command: str
    reply: str | None
    citizen_id: int | None
    kind: str = REPLY


def writes_to_database(body: str) -> bool:
    """Whether answering `body` changes rows (a preference, a payment); the others only read."""
    return parsing.parse(body).command in _WRITING


def handle(*, session: Session, redis: Redis, msisdn: str, body: str, today: date, wallets: Wallets,
           default_language: str = "en", region: str = "PK") -> Result:
    """Answer one text from `msisdn` (E.164). Domain errors become their catalogue text."""
    parsed = parsing.parse(body)
    citizen = caller_by_msisdn(session=session, msisdn=msisdn, region=region) if msisdn.startswith("+") else None
    language = parsed.language or (citizen.language if citizen else default_language)
    ctx = Context(session, redis, msisdn, citizen, language, region, today, wallets)
    handler = _HANDLERS.get(parsed.command, _unknown)
    try:
        reply, kind = handler(ctx, parsed)
    except DomainError as exc:
        reply, kind = text(exc.message_key, ctx.language), REPLY
    if citizen is None and parsed.command in _MAY_REGISTER:
        citizen = caller_by_msisdn(session=session, msisdn=msisdn, region=region)
    return Result(parsed.command, reply, citizen.citizen_id if citizen else None, kind)


Reply = tuple[str | None, str]


def _status(ctx: Context, parsed: Parsed) -> Reply:
    if not parsed.argument:
        return text("sms.status_usage", ctx.language), REPLY
    # a number without an account sees nothing
    viewer = Viewer(citizen_id=ctx.citizen.citizen_id if ctx.citizen else None)
    view = lookup_status(session=ctx.session, tracking_number=parsed.argument, viewer=viewer, language=ctx.language)
    return view.render(ctx.language), REPLY


def _bill(ctx: Context, parsed: Parsed) -> Reply:
    if not parsing.digits_of(parsed.argument):
        return text("sms.bill_usage", ctx.language), REPLY
    inquiry = inquire_bill(session=ctx.session, psid=parsed.argument, on=ctx.today, language=ctx.language)
    return inquiry.render(ctx.language), REPLY


def _verify(ctx: Context, parsed: Parsed) -> Reply:
    if not parsed.argument:
        return text("verify.usage", ctx.language), REPLY
    answer = verify_reference(session=ctx.session, reference=parsed.argument, on=ctx.today, language=ctx.language)
    return answer.render(ctx.language), REPLY


def _bills(ctx: Context, parsed: Parsed) -> Reply:
    if ctx.citizen is None:
        return text("error.citizen_not_found", ctx.language), REPLY
    bills = unpaid_bills_for(session=ctx.session, citizen_id=ctx.citizen.citizen_id)
    if not bills:
        return text("sms.bills_none", ctx.language), REPLY
    lines = []
    for bill in bills[:BILLS_LISTED]:
        inquiry = inquiry_of(bill, ctx.today, ctx.language)
        lines.append(text("sms.bills_item", ctx.language, agency=inquiry.agency_code, psid=bill.psid,
                          amount=format_money(inquiry.payable_now or 0, bill.currency),
                          due=format_date(bill.due_date)))
    if len(bills) > BILLS_LISTED:
        lines.append(text("sms.bills_more", ctx.language, count=len(bills) - BILLS_LISTED))
    return "\n".join(lines), REPLY


def _pay(ctx: Context, parsed: Parsed) -> Reply:
    psid, _, wallet_word = parsing.psid_and_rest(parsed.argument)
    if not psid:
        return text("sms.pay_usage", ctx.language), REPLY
    # A known wallet name after the PSID picks it; any other word (a "thanks") leaves the default.
    wallet = ctx.wallets.choose(wallet_word if wallet_word.lower() in ctx.wallets.names else None)
    # Refused up front (paid, blocked, a payment already in progress...), not after the code comes back.
    bill = payability_of(session=ctx.session, psid=psid, on=ctx.today).raise_if_refused()
    inquiry = inquiry_of(bill, ctx.today, ctx.language)
    code = f"{secrets.randbelow(1_000_000):06d}"
    pending = {"psid": inquiry.psid, "citizen_id": ctx.citizen.citizen_id if ctx.citizen else None, "wallet": wallet}
    ctx.redis.set(_code_key(ctx.msisdn, code), json.dumps(pending), ex=PAY_CODE_TTL_SECONDS)
    reply = text("sms.pay_confirm", ctx.language, amount=format_money(inquiry.payable_now or 0, inquiry.currency),
                 agency=inquiry.agency_code, description=inquiry.description, psid=inquiry.psid, code=code)
    return reply, PAY_CODE


def _yes(ctx: Context, parsed: Parsed) -> Reply:
    code = parsing.digits_of(parsed.argument)
    if not code:
        return text("sms.yes_usage", ctx.language), REPLY
    raw = ctx.redis.getdel(_code_key(ctx.msisdn, code))  # one use only
    if raw is None:
        return text("sms.code_invalid", ctx.language), REPLY
    pending = json.loads(raw)
    wallet = ctx.wallets.choose(pending.get("wallet"))
    with ctx.session.begin_nested():  # a refused payment leaves nothing half-written
        payment = start_payment(session=ctx.session, psid=pending["psid"], channel="sms", wallet=wallet,
                                today=ctx.today, citizen_id=pending["citizen_id"], msisdn=ctx.msisdn,
                                region=ctx.region)
    log.info("sms payment %s started for PSID %s", payment.reference, pending["psid"])
    return text("sms.pay_started", ctx.language, reference=payment.reference,
                amount=format_money(payment.amount, payment.currency)), REPLY


def _lang(ctx: Context, parsed: Parsed) -> Reply:
    language = parsing.language_from(parsed.argument)
    if language is None:
        return text("sms.lang_usage", ctx.language), REPLY
    citizen = get_or_create_by_msisdn(session=ctx.session, msisdn=ctx.msisdn, region=ctx.region)
    set_language(session=ctx.session, citizen=citizen, language=language)
    return text("sms.lang_set", language), REPLY


def _stop(ctx: Context, parsed: Parsed) -> Reply:
    citizen = get_or_create_by_msisdn(session=ctx.session, msisdn=ctx.msisdn, region=ctx.region)
    set_sms_reminders(session=ctx.session, citizen=citizen, enabled=False)
    return text("sms.stopped", ctx.language), REPLY


def _start(ctx: Context, parsed: Parsed) -> Reply:
    citizen = get_or_create_by_msisdn(session=ctx.session, msisdn=ctx.msisdn, region=ctx.region)
    set_sms_reminders(session=ctx.session, citizen=citizen, enabled=True)
    return text("sms.started", ctx.language), REPLY


def _help(ctx: Context, parsed: Parsed) -> Reply:
    return text("sms.help", ctx.language), REPLY


def _unknown(ctx: Context, parsed: Parsed) -> Reply:
    # At most one "did not understand" per sender per hour: never an SMS ping-pong with a bot.
    if first_in_window(ctx.redis, f"unknown:{ctx.msisdn}"):
        return text("sms.unknown", ctx.language), REPLY
    return None, REPLY


def _code_key(msisdn: str, code: str) -> str:
    return f"rabta:sms:paycode:{msisdn}:{code}"


_HANDLERS: dict[str, Callable[[Context, Parsed], Reply]] = {
    parsing.STATUS: _status, parsing.BILL: _bill, parsing.BILLS: _bills, parsing.PAY: _pay, parsing.YES: _yes,
    parsing.LANG: _lang, parsing.STOP: _stop, parsing.START: _start, parsing.HELP: _help,
    parsing.VERIFY: _verify,
}
