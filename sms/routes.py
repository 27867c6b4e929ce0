"""HTTP routes of the SMS channel, made from the provider registry: verify, parse, hand over, acknowledge.

For every provider with webhooks (`sms.providers.SMS_ADAPTERS`):
POST <inbound_path>   an inbound text (Twilio: /sms/twilio, signed, answered with TwiML;
                      Africa's Talking: /sms/africastalking, ?token=, answered through the queue)
POST <report_path>    a delivery report (/sms/twilio/status, /sms/africastalking/delivery)
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, Response, request

from app import metrics
from app.runtime import current
from app.webhook_edge import guard
from sms import jobs
from sms.providers import SMS_ADAPTERS
from sms.providers.base import MalformedWebhook, SmsProvider, WebhookRequest
from sms.webhooks import receive_text

log = logging.getLogger("rabta.sms")

bp = Blueprint("sms", __name__)
guard(bp)


def _plain(body: str, status: int) -> Response:
    return Response(body, status=status, mimetype="text/plain")


def _webhook_request() -> WebhookRequest:
    url = current().settings.PUBLIC_BASE_URL.rstrip("/") + request.path
    if request.query_string:
        url += "?" + request.query_string.decode("utf-8", "replace")
    return WebhookRequest(public_url=url, form=request.form, args=request.args, headers=request.headers)


def _webhook(name: str, handle: Callable[[SmsProvider, WebhookRequest], Response]) -> Response:
    """Verify a provider's callback, then let `handle` parse and act; a malformed one is a 400, not a 500."""
    adapter = current().sms.adapter(name)
    webhook = _webhook_request()
    if not adapter.verify(webhook):
        metrics.webhook_refused(name, adapter.refusal_reason)
        log.warning("rejected %s: bad or missing signature/token", request.path)
        return _plain("forbidden", 403)
    try:
        return handle(adapter, webhook)
    except MalformedWebhook as exc:
        log.warning("rejected %s: %s", request.path, exc)
        return _plain(str(exc), 400)


def _inbound(adapter: SmsProvider, webhook: WebhookRequest) -> Response:
    text = adapter.parse_inbound(webhook)
    reply = receive_text(current(), text, reply_inline=adapter.replies_inline)
    answer = adapter.acknowledge(reply if adapter.replies_inline else None)
    return Response(answer.body, mimetype=answer.mimetype)


def _delivery_report(adapter: SmsProvider, webhook: WebhookRequest) -> Response:
    report = adapter.parse_report(webhook)
    if report is None:  # a status word we do not map: acknowledged so the provider stops retrying
        log.info("delivery report with an unmapped status on %s ignored", request.path)
        return _plain("OK", 200)
    outcome = jobs.apply_report(current(), report)
    log.info("%s delivery report %s -> %s: %s", report.provider, report.provider_message_id, report.status, outcome)
    return _plain("OK", 200)


def _add_routes(adapter: type[SmsProvider]) -> None:
    def inbound_view() -> Response:
        return _webhook(adapter.name, _inbound)

    def report_view() -> Response:
        return _webhook(adapter.name, _delivery_report)

    if adapter.inbound_path:
        bp.add_url_rule(adapter.inbound_path, f"{adapter.name}_inbound", inbound_view, methods=["POST"])
    if adapter.report_path:
        bp.add_url_rule(adapter.report_path, f"{adapter.name}_report", report_view, methods=["POST"])


for _adapter in SMS_ADAPTERS.values():
    _add_routes(_adapter)
