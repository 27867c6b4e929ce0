"""What a bank's 1Bill calls cost in round trips, pinned (issue 15)."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.bills.models import Bill
from app.runtime import Runtime
from tests.payments.helpers import basic_auth, payment_payload
from tests.support import count_statements

AYESHA_CHALLAN = "10000000000000001"


def test_an_inquiry_costs_one_query_and_one_redis_round_trip(
        client: FlaskClient, demo: None, runtime: Runtime) -> None:
    with count_statements(runtime.db.engine) as cost:
        answer = client.post("/billers/1bill/inquiry", json={"consumer_number": AYESHA_CHALLAN,
                                                              "bank_mnemonic": "HBL"}, headers=basic_auth())
    assert answer.json["response_Code"] == "00" and answer.json["bill_status"] == "U"
    # the bill with its agency and whether a wallet payment is in flight; both rate limits in one round trip
    assert (cost.sql, cost.redis) == (1, 1), cost.statements


def test_a_payment_has_a_fixed_cost(client: FlaskClient, demo: None, runtime: Runtime, session: Session) -> None:
    with count_statements(runtime.db.engine) as cost:
        answer = client.post("/billers/1bill/payment", json=payment_payload(AYESHA_CHALLAN, "TCOST001", 150000),
                             headers=basic_auth())
    assert answer.json["response_Code"] == "00"
    assert session.exec(select(Bill).where(Bill.psid == AYESHA_CHALLAN)).one().status == "paid"
    # bill (locked), duplicate and in-flight checks, the payment and its events, the settlement's two
    # compare-and-set updates, the receipt notification (the bill's agency, then the outbox row unless owed
    # before, in one statement); the rate limits, then the outbox kick after commit
    assert (cost.sql, cost.redis) == (11, 4), cost.statements
