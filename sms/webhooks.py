"""What happens to a verified provider callback: normalise, dedupe, rate-limit, answer.

Routes verify and parse; this module records and decides. Inbound texts are
answered inline (Twilio wants TwiML back) or through the send queue (Africa's
Talking); delivery reports go through `sms.jobs.apply_report`.
"""

from __future__ import annotations

import logging

from sqlmodel import Session

from app import metrics
from app.citizens.identity import mask_msisdn
from app.errors import InvalidPhoneNumber
from app.messages import text
from app.runtime import Runtime
from sms import commands
from sms.providers.base import InboundText
from sms.service import (
    e164,
    record_inbound,
    record_inbound_and_reply,
    record_reply,
    send_sms,
    set_inbound_command,
)
from sms.throttle import inbound_count

log = logging.getLogger("rabta.sms")



def sender_number(raw: str, region: str) -> str:
    try:
        return e164(raw, region)
    except InvalidPhoneNumber:
        return (raw or "").strip()[:20]


def receive_text(runtime: Runtime, inbound: InboundText, *, reply_inline: bool) -> str | None:
    """Record and answer one inbound text; return the reply to put in the HTTP response (Twilio)."""
    settings = runtime.settings
    msisdn = sender_number(inbound.sender, settings.DEFAULT_REGION)
    count = inbound_count(runtime.redis, msisdn)
    limit = settings.SMS_INBOUND_LIMIT_PER_HOUR
    if count > limit:
        metrics.count_rate_limited("sms_inbound")
    if count > limit + 1:  # flooding: warned once already, now ignored
        log.info("sms from %s ignored: over %s/hour", mask_msisdn(msisdn), limit)
        return None
    result: commands.Result | None = None
    if count == limit + 1:
        result = commands.Result("FLOOD", text("sms.flood_warning", settings.DEFAULT_LANGUAGE), None)
    elif not commands.writes_to_database(inbound.body):
        # Questions only read: answer them without SQLite's write lock, then record briefly.
        with runtime.db.reading() as session:
            result = _answer(runtime, session, msisdn, inbound.body)
    if result is not None and result.reply is not None and reply_inline:
        return _record_answered(runtime, inbound, msisdn, result)
    return _record_then_answer(runtime, inbound, msisdn, result, reply_inline)


def _record_answered(runtime: Runtime, inbound: InboundText, msisdn: str, result: commands.Result) -> str | None:
    """A question answered before it was recorded, its reply going back in the HTTP response: the text and
    the reply are recorded together (one statement on PostgreSQL, so no transaction around it)."""
    with runtime.db.one_statement() as session:
        recorded = record_inbound_and_reply(session=session, inbound=inbound, msisdn=msisdn, command=result.command,
                                            citizen_id=result.citizen_id, reply=result.reply or "", kind=result.kind)
    if recorded is None:
        log.info("duplicate %s callback %s ignored", inbound.provider, inbound.provider_message_id)
        return None
    return result.reply


def _record_then_answer(runtime: Runtime, inbound: InboundText, msisdn: str, result: commands.Result | None,
                        reply_inline: bool) -> str | None:
    with runtime.db.transaction() as session:
        inbound_id = record_inbound(session=session, inbound=inbound, msisdn=msisdn,
                                    command=result.command if result else "",
                                    citizen_id=result.citizen_id if result else None)
        if inbound_id is None:
            log.info("duplicate %s callback %s ignored", inbound.provider, inbound.provider_message_id)
            return None
        if result is None:  # a command that writes runs once, after its text is recorded
            result = _answer(runtime, session, msisdn, inbound.body)
            set_inbound_command(session=session, inbound_id=inbound_id, command=result.command,
                                citizen_id=result.citizen_id)
        if result.reply is None:
            return None
        if reply_inline:
            record_reply(session=session, to=msisdn, body=result.reply, provider=inbound.provider,
                         citizen_id=result.citizen_id, in_reply_to=inbound_id, kind=result.kind)
        elif msisdn.startswith("+"):
            send_sms(session=session, to=msisdn, body=result.reply, kind=result.kind,
                     citizen_id=result.citizen_id, in_reply_to=inbound_id, redis=runtime.redis)
        else:  # no number we can text back (a short code or garbage): recorded, not answered
            log.info("no reply to unusable sender %s", mask_msisdn(msisdn))
            return None
    return result.reply


def _answer(runtime: Runtime, session: Session, msisdn: str, body: str) -> commands.Result:
    settings = runtime.settings
    return commands.handle(session=session, redis=runtime.redis, msisdn=msisdn, body=body, today=runtime.today(),
                           wallets=runtime.wallets, default_language=settings.DEFAULT_LANGUAGE,
                           region=settings.DEFAULT_REGION)
