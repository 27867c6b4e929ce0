"""Inbound texts from Twilio: signatures, TwiML replies, duplicates, bad input."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from sqlmodel import Session, func, select

from app.applications.service import lookup_status
from app.runtime import Runtime
from sms.models import InboundMessage, OutboundMessage
from tests.factories import EVERYONE
from tests.sms.conftest import PostTwilio, twilio_inbound, twilio_signature

PATH = "/sms/twilio"


def reply_text(response_body: bytes) -> str | None:
    root = ElementTree.fromstring(response_body)
    message = root.find("Message")
    return message.text if message is not None else None


def inbound_count(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(InboundMessage)).one())


def test_a_signed_status_text_is_answered_with_the_same_status_text_as_every_channel(
        post_twilio: PostTwilio, demo: None, session: Session) -> None:
    response = post_twilio(PATH, twilio_inbound("STATUS DOM-2026-000001"))

    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    expected = lookup_status(viewer=EVERYONE, session=session, tracking_number="DOM-2026-000001",
                             language="en").render("en")
    assert reply_text(response.data) == expected
    stored = session.exec(select(InboundMessage)).one()
    assert (stored.command, stored.msisdn, stored.citizen_id is not None) == ("STATUS", "+923001234567", True)
    reply = session.exec(select(OutboundMessage)).one()
    assert (reply.kind, reply.status, reply.in_reply_to, reply.body) == ("reply", "sent", stored.id, expected)


@pytest.mark.parametrize("signature", ["", "bm90LXRoZS1zaWduYXR1cmU=", None])
def test_a_missing_or_wrong_signature_is_refused_and_nothing_is_stored(
        post_twilio: PostTwilio, session: Session, signature: str | None) -> None:
    params = twilio_inbound("STATUS DOM-2026-000001")
    if signature is None:  # signed, then tampered with
        signature = twilio_signature(PATH, params)
        params["Body"] = "STOP"
    response = post_twilio(PATH, params, signature=signature)

    assert response.status_code == 403
    assert inbound_count(session) == 0


@pytest.mark.parametrize("url_base", ["https://rabta.example.org:443", "https://rabta.example.org"])
def test_signatures_over_the_url_with_or_without_the_default_port_are_both_accepted(
        post_twilio: PostTwilio, demo: None, session: Session, url_base: str) -> None:
    params = twilio_inbound("HELP")
    response = post_twilio(PATH, params, signature=twilio_signature(PATH, params, url_base=url_base))

    assert response.status_code == 200
    assert inbound_count(session) == 1


def test_a_signature_for_another_host_is_refused(post_twilio: PostTwilio, session: Session) -> None:
    params = twilio_inbound("HELP")
    response = post_twilio(PATH, params, signature=twilio_signature(PATH, params, url_base="https://evil.example"))

    assert response.status_code == 403
    assert inbound_count(session) == 0


def test_a_repeated_callback_is_answered_once(post_twilio: PostTwilio, demo: None, session: Session) -> None:
    params = twilio_inbound("BILL 10000000000000001", sid="SM" + "a" * 32)
    first = post_twilio(PATH, params)
    second = post_twilio(PATH, params)

    assert reply_text(first.data) is not None
    assert second.status_code == 200 and reply_text(second.data) is None
    assert inbound_count(session) == 1
    assert len(session.exec(select(OutboundMessage)).all()) == 1


@pytest.mark.parametrize("missing", ["MessageSid", "From"])
def test_a_callback_without_sid_or_sender_is_a_client_error(
        post_twilio: PostTwilio, session: Session, missing: str) -> None:
    params = twilio_inbound("HELP")
    del params[missing]
    response = post_twilio(PATH, params)

    assert response.status_code == 400
    assert inbound_count(session) == 0


@pytest.mark.parametrize("body", ["x" * 1600, "😀😀😀", "", "   ", "سلام hello ۱۲۳", "Hi! 👋 kya haal hai?"])
def test_odd_bodies_get_one_short_help_reply_per_hour_and_never_a_500(
        post_twilio: PostTwilio, session: Session, body: str) -> None:
    first = post_twilio(PATH, twilio_inbound(body, sender="+923211112222"))
    second = post_twilio(PATH, twilio_inbound(body, sender="+923211112222"))

    assert first.status_code == second.status_code == 200
    assert reply_text(first.data) is not None and len(reply_text(first.data) or "") <= 160
    assert reply_text(second.data) is None
    assert inbound_count(session) == 2


@pytest.mark.parametrize("body", ["حالت abc STATUS ??", "Pay my بل please 12", "status 😀"])
def test_a_keyword_with_a_broken_argument_gets_the_validation_text_every_time(
        post_twilio: PostTwilio, body: str) -> None:
    replies = [reply_text(post_twilio(PATH, twilio_inbound(body)).data) for _ in range(2)]

    assert replies[0] and replies[0] == replies[1]


@pytest.mark.parametrize("sender", ["03001234567", "923001234567", "0092 300 1234567", "+1 415 555 0100", "12345"])
def test_numbers_in_any_format_are_accepted(post_twilio: PostTwilio, demo: None, sender: str) -> None:
    response = post_twilio(PATH, twilio_inbound("HELP", sender=sender))

    assert response.status_code == 200
    assert reply_text(response.data)


def test_a_flooding_number_is_warned_once_then_ignored(
        post_twilio: PostTwilio, runtime: Runtime, session: Session) -> None:
    runtime.settings.SMS_INBOUND_LIMIT_PER_HOUR = 3
    replies = [reply_text(post_twilio(PATH, twilio_inbound("HELP", sender="+923451234567")).data) for _ in range(6)]

    assert all(replies[:3])
    assert replies[3] is not None and "Too many messages" in replies[3]
    assert replies[4:] == [None, None]
    assert inbound_count(session) == 4  # the ignored ones are not even stored
