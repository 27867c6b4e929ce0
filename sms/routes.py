"""HTTP routes of the SMS channel: verify, parse, hand over, acknowledge.

POST /sms/twilio                inbound text (X-Twilio-Signature), answered with TwiML
POST /sms/twilio/status         Twilio status callback (signed)
POST /sms/africastalking        inbound text (?token=AT_WEBHOOK_TOKEN), answered through the queue
POST /sms/africastalking/delivery  AT delivery report (?token=)
"""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, Response, request
from twilio.request_validator import SIGNATURE_SETTINGS_HEADER, RequestValidator, get_signature_algorithm
from twilio.twiml.messaging_response import MessagingResponse

from app import messages, metrics
from app.runtime import EXTENSION_KEY, Runtime, current
from app.webhooks import at_token_ok
from sms import delivery, jobs
from sms.service import SEND_HOOK_KEY, dispatch_notification
from sms.texts import TEXTS
from sms.webhooks import InboundText, receive_text

log = logging.getLogger("rabta.sms")

bp = Blueprint("sms", __name__)

TWIML = "application/xml"


def register(app: Flask) -> None:
    runtime: Runtime = app.extensions[EXTENSION_KEY]
    messages.register(TEXTS)
    runtime.extras["notification_dispatcher"] = dispatch_notification
    runtime.db.session_defaults[SEND_HOOK_KEY] = lambda ids: jobs.enqueue_sends(runtime, ids)


def _plain(body: str, status: int) -> Response:
    return Response(body, status=status, mimetype="text/plain")


def _twilio_signed() -> bool:
    """Twilio's own validator over PUBLIC_BASE_URL + path and every posted field (it also tries
    the URL with and without the default port, as Twilio signs either)."""
    settings = current().settings
    signature = request.headers.get("X-Twilio-Signature", "")
    if not settings.TWILIO_AUTH_TOKEN or not signature:
        return False
    url = settings.PUBLIC_BASE_URL.rstrip("/") + request.path
    if request.query_string:
        url += "?" + request.query_string.decode("utf-8", "replace")
    algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
    return bool(RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, request.form, signature, algorithm))


@bp.post("/sms/twilio")
def twilio_inbound() -> Response:
    if not _twilio_signed():
        metrics.webhook_refused("twilio", "bad_signature")
        log.warning("rejected /sms/twilio: bad or missing X-Twilio-Signature")
        return _plain("forbidden", 403)
    form = request.form
    sid, sender = form.get("MessageSid", "").strip(), form.get("From", "").strip()
    if not sid or not sender:
        log.warning("rejected /sms/twilio: MessageSid or From missing")
        return _plain("MessageSid and From are required", 400)
    inbound = InboundText("twilio", sid, sender, form.get("To", ""), form.get("Body", ""))
    reply = receive_text(current(), inbound, reply_inline=True)
    twiml = MessagingResponse()
    if reply:
        twiml.message(reply)
    return Response(str(twiml), mimetype=TWIML)


@bp.post("/sms/africastalking")
def at_inbound() -> Response:
    if not at_token_ok():
        log.warning("rejected /sms/africastalking: bad token")
        return _plain("forbidden", 403)
    form = request.form
    message_id, sender = form.get("id", "").strip(), form.get("from", "").strip()
    if not message_id or not sender:
        log.warning("rejected /sms/africastalking: id or from missing")
        return _plain("id and from are required", 400)
    inbound = InboundText("africastalking", message_id, sender, form.get("to", ""), form.get("text", ""),
                          form.get("linkId") or None)
    receive_text(current(), inbound, reply_inline=False)
    return _plain("OK", 200)


@bp.post("/sms/twilio/status")
def twilio_status() -> Response:
    if not _twilio_signed():
        metrics.webhook_refused("twilio", "bad_signature")
        log.warning("rejected /sms/twilio/status: bad or missing X-Twilio-Signature")
        return _plain("forbidden", 403)
    return _report(delivery.twilio_report(request.form.to_dict()), "MessageSid", "MessageStatus")


@bp.post("/sms/africastalking/delivery")
def at_delivery() -> Response:
    if not at_token_ok():
        log.warning("rejected /sms/africastalking/delivery: bad token")
        return _plain("forbidden", 403)
    return _report(delivery.at_report(request.form.to_dict()), "id", "status")


def _report(report: delivery.DeliveryReport | None, id_field: str, status_field: str) -> Response:
    if report is None:
        if not request.form.get(id_field) or not request.form.get(status_field):
            log.warning("rejected delivery report on %s: %s or %s missing", request.path, id_field, status_field)
            return _plain(f"{id_field} and {status_field} are required", 400)
        # A status word we do not map: acknowledged so the provider stops retrying; nothing changes.
        log.info("delivery report with unmapped status %r ignored", request.form.get(status_field))
        return _plain("OK", 200)
    outcome = jobs.apply_report(current(), report)
    log.info("%s delivery report %s -> %s: %s", report.provider, report.provider_message_id, report.status, outcome)
    return _plain("OK", 200)
