"""What an inbound text costs in round trips, pinned (issue 15)."""

from __future__ import annotations

from sqlmodel import Session, select

from app.runtime import Runtime
from sms.models import InboundMessage, OutboundMessage
from tests.sms.conftest import PostTwilio, twilio_inbound
from tests.support import count_statements


def test_a_status_text_is_answered_with_three_statements_and_one_redis_round_trip(
        post_twilio: PostTwilio, demo: None, runtime: Runtime, session: Session) -> None:
    with count_statements(runtime.db.engine) as cost:
        response = post_twilio("/sms/twilio", twilio_inbound("STATUS DOM-2026-000001"))
    assert response.status_code == 200 and b"DOM-2026-000001" in response.data
    stored = session.exec(select(InboundMessage)).one()
    assert stored.command == "STATUS" and stored.citizen_id is not None
    assert session.exec(select(OutboundMessage)).one().in_reply_to == stored.id
    # read: the sender, then the application with its service and agency; write: the text once with its reply
    # (one statement on PostgreSQL; SQLite, without data-modifying WITH, writes them one after the other)
    writes = 2 if runtime.db.is_sqlite else 1
    assert (cost.sql, cost.redis) == (2 + writes, 1), cost.statements


def test_a_repeated_delivery_is_one_insert_that_does_nothing(
        post_twilio: PostTwilio, demo: None, runtime: Runtime, session: Session) -> None:
    params = twilio_inbound("STATUS DOM-2026-000001")
    post_twilio("/sms/twilio", params)
    with count_statements(runtime.db.engine) as cost:
        again = post_twilio("/sms/twilio", params)
    assert again.status_code == 200 and b"<Message>" not in again.data
    assert len(session.exec(select(InboundMessage)).all()) == 1
    assert len(session.exec(select(OutboundMessage)).all()) == 1
    # the question is answered (two reads) before the insert that finds the text already recorded
    assert (cost.sql, cost.redis) == (3, 1), cost.statements
