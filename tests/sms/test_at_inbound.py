"""Inbound texts from Africa's Talking: token, dedupe, the reply through the send queue."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session, func, select
from werkzeug.test import TestResponse

from app.bills.service import inquire_bill
from sms.models import InboundMessage
from tests.factories import local_day
from tests.fixtures.sms import FakeTwilio
from tests.sms.conftest import at_inbound, outbound

PATH = "/sms/africastalking"
PostAT = Callable[..., TestResponse]


def stored(session: Session) -> int:
    session.rollback()
    return int(session.exec(select(func.count()).select_from(InboundMessage)).one())


def test_a_bill_question_is_answered_through_the_queue_once_even_when_at_retries(
        post_at: PostAT, demo: None, session: Session, fake_twilio: FakeTwilio,
        run_jobs: Callable[[], None]) -> None:
    params = at_inbound("bill 10000000000000001", message_id="at-msg-1")
    assert post_at(PATH, params).status_code == 200
    assert post_at(PATH, params).status_code == 200  # AT retries the callback
    run_jobs()

    assert stored(session) == 1
    [reply] = outbound(session)
    expected = inquire_bill(session=session, psid="10000000000000001", on=local_day(), language="en").render("en")
    assert (reply.kind, reply.status, reply.to, reply.body) == ("reply", "sent", "+923001234567", expected)
    assert [r.form["Body"] for r in fake_twilio.requests] == [expected]
    inbound = session.exec(select(InboundMessage)).one()
    assert (inbound.link_id, inbound.to_number, inbound.command) == ("link-1", "8012", "BILL")


@pytest.mark.parametrize("token", [None, "", "wrong-token"])
def test_a_callback_without_the_right_token_is_refused_and_nothing_is_stored(
        post_at: PostAT, session: Session, token: str | None) -> None:
    assert post_at(PATH, at_inbound("HELP"), token=token).status_code == 403
    assert stored(session) == 0


@pytest.mark.parametrize("missing", ["id", "from"])
def test_a_callback_without_id_or_sender_is_a_client_error(post_at: PostAT, session: Session, missing: str) -> None:
    params = at_inbound("HELP")
    del params[missing]
    assert post_at(PATH, params).status_code == 400
    assert stored(session) == 0


def test_a_short_code_sender_is_recorded_but_not_answered(post_at: PostAT, session: Session,
                                                          run_jobs: Callable[[], None]) -> None:
    assert post_at(PATH, at_inbound("HELP", sender="8012")).status_code == 200
    run_jobs()
    assert stored(session) == 1 and outbound(session) == []
