"""What the app's hottest API calls cost in round trips, pinned (issue 15): a query per bill or an
extra Redis call per request fails here."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlmodel import select

from app.runtime import Runtime
from payments.models import Payment
from tests.fixtures.api import SignedIn
from tests.support import count_statements


def test_my_bills_page_costs_one_query_and_one_redis_round_trip(
        client: FlaskClient, runtime: Runtime, ayesha: SignedIn) -> None:
    with count_statements(runtime.db.engine) as cost:
        page = client.get("/api/v1/bills", headers=ayesha.headers)
    assert len(page.json["items"]) == 3
    # the bills joined with their agencies; rate limits and the token's revocation share one round trip
    assert (cost.sql, cost.redis) == (1, 1), cost.statements


def test_starting_a_payment_has_a_fixed_cost(client: FlaskClient, runtime: Runtime, ayesha: SignedIn) -> None:
    headers = {**ayesha.headers, "Idempotency-Key": "cost-1"}
    with count_statements(runtime.db.engine) as cost:
        started = client.post("/api/v1/payments", headers=headers, json={"psid": "10000000000000001"})
    assert started.status_code == 202 and started.json["status"] == "initiated"
    with runtime.db.session() as session:
        assert len(session.exec(select(Payment)).all()) == 1
    # bill (locked), in-flight check, payer, the payment (taking the in-flight slot), its event, the answer's
    # PSID and agency; limits with revocation, the key claimed and answered, the charge job enqueued
    assert (cost.sql, cost.redis) == (6, 4), cost.statements
