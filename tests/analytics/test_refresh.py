"""The roll-ups say what the raw rows say: for random data, after two runs, late events, in the local zone."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlmodel import Session, select

from analytics.buckets import bin_of, local_hour
from analytics.models import DailyRollup, Rollup, Watermark
from analytics.refresh import refresh
from app.runtime import Runtime
from payments.models import Payment
from sms.models import OutboundMessage
from tests.analytics.helpers import add_payment, rollups
from tests.factories import make_agency, make_bill

BASE = datetime(2026, 11, 1, tzinfo=UTC)
payment_specs = st.lists(st.tuples(
    st.integers(0, 72 * 60),  # minutes after BASE
    st.sampled_from(["app", "ussd", "sms", "bank"]),
    st.sampled_from(["wallet", "1bill"]),
    st.sampled_from(["succeeded", "failed", "expired", "pending"]),
    st.integers(1, 10**9),  # paisa
    st.integers(0, 400),  # seconds to settle
    st.integers(0, 1),  # which agency
), max_size=40)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=payment_specs)
def test_payment_rollups_equal_a_direct_aggregate_of_the_raw_rows(runtime: Runtime, session: Session,
                                                                   specs: list[tuple]) -> None:
    for table in (Rollup, DailyRollup, Watermark, Payment):
        session.execute(delete(table))
    agencies = [make_agency(session, code=f"PA{index}") for index in range(2)]
    bills = [make_bill(session, agency=agency) for agency in agencies]
    session.commit()
    expected_started: Counter[tuple] = Counter()
    expected_amount: Counter[tuple] = Counter()
    expected_bins: dict[tuple, Counter[int]] = defaultdict(Counter)
    for minutes, channel, rail, status, amount, seconds, which in specs:
        at = BASE + timedelta(minutes=minutes)
        add_payment(session, bills[which], at=at, channel=channel, rail=rail, status=status, amount=amount,
                    settle_seconds=seconds, reason="declined")
        key = (local_hour(at, "Asia/Karachi"), agencies[which].id, channel, rail)
        expected_started[key] += 1
        expected_amount[key] += amount
        if status == "succeeded":
            expected_bins[key][bin_of(seconds * 1000)] += 1
    session.commit()

    refresh(runtime.db, "Asia/Karachi")

    started = rollups(session, "pay.started")
    assert {(k[0], k[2], k[3], k[4]): v[0] for k, v in started.items()} == dict(expected_started)
    assert {(k[0], k[2], k[3], k[4]): v[1] for k, v in started.items()} == dict(expected_amount)
    daily: Counter[tuple] = Counter()
    for (hour, agency_id, channel, rail), count in expected_started.items():
        daily[(hour.date(), agency_id, channel, rail)] += count
    days = session.exec(select(DailyRollup).where(DailyRollup.metric == "pay.started"))
    assert {(r.day, r.agency_id, r.channel, r.dim): r.count for r in days} == dict(daily)
    settled = rollups(session, "pay.settled")
    assert {(k[0], k[2], k[3], k[4]): Counter({i: n for i, n in enumerate(v[2]) if n}) for k, v in settled.items()} \
        == {key: bins for key, bins in expected_bins.items() if bins}


def _arrange_a_bit_of_everything(session: Session) -> None:
    agency = make_agency(session, code="TWICE")
    bill = make_bill(session, agency=agency)
    session.commit()
    for minutes in (5, 65, 70, 600):
        add_payment(session, bill, at=BASE + timedelta(minutes=minutes), status="succeeded")
    add_payment(session, bill, at=BASE + timedelta(minutes=80), status="failed", reason="insufficient_funds")
    session.add(OutboundMessage(to="+923001234567", body="hello", kind="reply", status="delivered",
                                provider="console", created_at=BASE, updated_at=BASE, sent_at=BASE,
                                delivered_at=BASE + timedelta(seconds=3)))
    session.commit()


def test_refreshing_twice_gives_the_same_roll_ups_as_once(runtime: Runtime, session: Session) -> None:
    _arrange_a_bit_of_everything(session)
    refresh(runtime.db, "Asia/Karachi")
    once = rollups(session)
    session.expire_all()
    refresh(runtime.db, "Asia/Karachi")
    assert rollups(session) == once
    assert once[(datetime(2026, 11, 1, 6), "pay.started", once_agency(once), "app", "wallet")][0] == 3


def once_agency(figures: dict) -> int:
    return next(key[2] for key in figures if key[1] == "pay.started")


def test_a_delivery_report_a_day_late_lands_in_the_hour_the_message_was_sent(runtime: Runtime,
                                                                             session: Session) -> None:
    sent_at = datetime.now(UTC) - timedelta(days=1)
    message = OutboundMessage(to="+923001234567", body="receipt", kind="payment_receipt", status="sent",
                              provider="twilio", created_at=sent_at, updated_at=sent_at, sent_at=sent_at)
    session.add(message)
    session.commit()
    refresh(runtime.db, "Asia/Karachi")
    hour = local_hour(sent_at, "Asia/Karachi")
    assert rollups(session, "sms.delivered") == {}
    assert rollups(session, "sms.sent")[(hour, "sms.sent", 0, "", "twilio")][0] == 1

    message.status, message.delivered_at = "delivered", datetime.now(UTC)
    message.updated_at = datetime.now(UTC)
    session.add(message)
    session.commit()
    refresh(runtime.db, "Asia/Karachi")

    delivered = rollups(session, "sms.delivered")
    assert list(delivered) == [(hour, "sms.delivered", 0, "", "twilio")]
    assert delivered[(hour, "sms.delivered", 0, "", "twilio")][0] == 1


def test_buckets_are_hours_of_the_deployment_zone(runtime: Runtime, session: Session) -> None:
    bill = make_bill(session, agency=make_agency(session, code="TZ"))
    session.commit()
    add_payment(session, bill, at=datetime(2026, 1, 1, 19, 30, tzinfo=UTC))  # 00:30 on 2 Jan in Karachi
    session.commit()

    refresh(runtime.db, "Asia/Karachi")
    assert [key[0] for key in rollups(session, "pay.started")] == [datetime(2026, 1, 2, 0, 0)]

    session.execute(delete(Rollup))
    session.execute(delete(Watermark))
    session.commit()
    refresh(runtime.db, "America/New_York")
    assert [key[0] for key in rollups(session, "pay.started")] == [datetime(2026, 1, 1, 14, 0)]
