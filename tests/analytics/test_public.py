"""`/performance` and `/performance.json`: open to anyone, aggregates only, cached."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlmodel import Session, select

from analytics.public import CACHE_KEY
from analytics.refresh import refresh
from app.bills.models import Bill
from app.citizens.models import Citizen
from app.runtime import Runtime
from app.timeutil import utcnow
from tests.analytics.helpers import add_payment

FIELDS = {"from", "to", "generated_at", "volumes", "payments_settled_within_60s_pct",
          "notifications_sent_within_10s_pct", "median_resolution_by_service", "ussd_completion_rate_pct"}


def _with_payments(runtime: Runtime, session: Session) -> None:
    bills = list(session.exec(select(Bill).where(Bill.citizen_id.is_not(None))))  # type: ignore[union-attr]
    for index, bill in enumerate(bills):
        add_payment(session, bill, at=utcnow(), settle_seconds=20 if index % 2 else 90, channel="ussd")
    session.commit()
    refresh(runtime.db, runtime.settings.TIMEZONE)


def test_the_public_page_shows_figures_and_never_a_person(demo: None, client: FlaskClient, runtime: Runtime,
                                                          session: Session) -> None:
    _with_payments(runtime, session)
    page = client.get("/performance")
    assert page.status_code == 200 and "public, max-age=" in page.headers["Cache-Control"]
    text = page.get_data(as_text=True)
    body = client.get("/performance.json").get_data(as_text=True)
    assert "Payments settled within 60 seconds" in text
    for citizen in session.exec(select(Citizen)):
        for document in (text, body):
            assert citizen.msisdn not in document and citizen.msisdn[1:] not in document
            if citizen.cnic:
                assert citizen.cnic not in document and citizen.cnic[:5] + "-" not in document
            if citizen.name:
                assert citizen.name not in document
    assert not re.search(r"\+?92\d{10}|\b\d{5}-?\d{7}-?\d\b", text + body)


def test_the_json_fields_and_values(demo: None, client: FlaskClient, runtime: Runtime, session: Session) -> None:
    _with_payments(runtime, session)
    data = client.get("/performance.json").get_json()
    assert set(data) == FIELDS
    assert len(data["volumes"]) == 30 and data["volumes"][-1]["date"] == runtime.today().isoformat()
    assert data["volumes"][-1]["payments"]["ussd"] > 0
    assert 0 < data["payments_settled_within_60s_pct"] < 100


def test_the_figures_are_cached(demo: None, client: FlaskClient, runtime: Runtime, session: Session) -> None:
    first = client.get("/performance.json").get_json()
    assert runtime.redis.ttl(CACHE_KEY) > 0
    _with_payments(runtime, session)
    assert client.get("/performance.json").get_json() == first  # until the cache expires
    runtime.redis.delete(CACHE_KEY)
    assert client.get("/performance.json").get_json() != first
