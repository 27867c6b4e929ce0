"""Bills and idempotent payments over the API."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select
from werkzeug.test import TestResponse

from app.bills.models import Bill
from app.runtime import Runtime
from tests.fixtures.api import SignedIn
from tests.fixtures.payments import wait_until

AYESHA_CHALLAN, BILAL_OVERDUE, BILAL_BLOCKED = "10000000000000001", "10000000000000004", "10000000000000005"


def _pay(client: FlaskClient, who: SignedIn, psid: str, key: str | None = "key-1") -> TestResponse:
    headers = dict(who.headers)
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post("/api/v1/payments", headers=headers, json={"psid": psid})


def test_my_bills_filter_by_status(client: FlaskClient, ayesha: SignedIn) -> None:
    everything = client.get("/api/v1/bills", headers=ayesha.headers).json
    assert {b["psid"] for b in everything["items"]} == {"10000000000000001", "10000000000000002",
                                                        "10000000000000003"}
    assert all(b["yours"] for b in everything["items"])
    unpaid = client.get("/api/v1/bills?status=unpaid", headers=ayesha.headers).json["items"]
    assert [b["psid"] for b in unpaid] == ["10000000000000002", "10000000000000001"]
    assert unpaid[1]["payable_now"] == 150000 and unpaid[1]["amount_after_due"] == 200000
    assert client.get("/api/v1/bills?status=lost", headers=ayesha.headers).status_code == 422


def test_my_bills_page_with_a_cursor(client: FlaskClient, ayesha: SignedIn) -> None:
    first = client.get("/api/v1/bills?limit=2", headers=ayesha.headers).json
    second = client.get(f"/api/v1/bills?limit=2&cursor={first['next_cursor']}", headers=ayesha.headers).json
    assert len(first["items"]) == 2 and len(second["items"]) == 1 and second["next_cursor"] is None


def test_any_psid_can_be_looked_up_without_the_holders_name_or_cnic(client: FlaskClient, ayesha: SignedIn) -> None:
    response = client.get(f"/api/v1/bills/{BILAL_OVERDUE}", headers=ayesha.headers)
    assert response.status_code == 200
    bill = response.json
    assert bill["yours"] is False and bill["is_overdue"] is True and bill["payable_now"] == 150000
    assert bill["agency_code"] == "PSCA" and bill["description"] == "Traffic e-challan"
    raw = response.get_data(as_text=True)
    for private in ("Bilal", "61101", "7654321", "+92333"):
        assert private not in raw
    assert set(bill) == {"psid", "agency_code", "agency_name", "kind", "description", "status", "currency",
                         "amount_within_due", "amount_after_due", "payable_now", "due_date", "is_overdue", "yours"}


def test_a_bad_or_unknown_psid(client: FlaskClient, ayesha: SignedIn) -> None:
    bad = client.get("/api/v1/bills/123", headers=ayesha.headers)
    assert bad.status_code == 422 and bad.json["code"] == "invalid_psid"
    unknown = client.get("/api/v1/bills/99999999999999999", headers=ayesha.headers)
    assert unknown.status_code == 404 and unknown.json["code"] == "bill_not_found"


def test_a_payment_needs_an_idempotency_key(client: FlaskClient, ayesha: SignedIn) -> None:
    response = _pay(client, ayesha, AYESHA_CHALLAN, key=None)
    assert response.status_code == 400 and response.json["code"] == "idempotency_key_required"


def test_a_payment_is_accepted_with_202_and_readable_by_its_payer(client: FlaskClient, ayesha: SignedIn) -> None:
    response = _pay(client, ayesha, AYESHA_CHALLAN)
    assert response.status_code == 202
    payment = response.json
    assert payment["status"] == "initiated" and payment["amount"] == 150000 and payment["psid"] == AYESHA_CHALLAN
    assert response.headers["Location"] == f"/api/v1/payments/{payment['reference']}"
    fetched = client.get(f"/api/v1/payments/{payment['reference']}", headers=ayesha.headers)
    assert fetched.json == payment
    assert [p["reference"] for p in client.get("/api/v1/payments", headers=ayesha.headers).json["items"]] == [
        payment["reference"]]


def test_the_same_key_and_body_replays_the_first_answer(client: FlaskClient, ayesha: SignedIn) -> None:
    first = _pay(client, ayesha, AYESHA_CHALLAN)
    again = _pay(client, ayesha, AYESHA_CHALLAN)
    assert again.status_code == 202 and again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(client.get("/api/v1/payments", headers=ayesha.headers).json["items"]) == 1


def test_the_same_key_with_another_body_is_422(client: FlaskClient, ayesha: SignedIn) -> None:
    _pay(client, ayesha, AYESHA_CHALLAN)
    other = _pay(client, ayesha, "10000000000000002")
    assert other.status_code == 422 and other.json["code"] == "idempotency_key_reused"


def test_a_retry_while_the_first_is_running_is_409(app: Flask, runtime: Runtime, ayesha: SignedIn) -> None:
    with ThreadPoolExecutor(max_workers=1) as pool, runtime.db.transaction() as holding:
        # Hold the bill (its row on PostgreSQL, the write lock on SQLite) so the first request is still running.
        holding.exec(select(Bill).where(Bill.psid == AYESHA_CHALLAN).with_for_update()).one()
        first = pool.submit(_pay, app.test_client(), ayesha, AYESHA_CHALLAN)
        wait_until(lambda: runtime.redis.keys("rabta:idempotency:*"))
        retry = _pay(app.test_client(), ayesha, AYESHA_CHALLAN)
        assert (retry.status_code, retry.json["code"], retry.headers["Retry-After"]) == \
            (409, "idempotency_in_progress", "1")
        holding.rollback()
        assert first.result(timeout=60).status_code == 202
    assert _pay(app.test_client(), ayesha, AYESHA_CHALLAN).headers["Idempotent-Replayed"] == "true"


def test_keys_are_per_citizen(client: FlaskClient, ayesha: SignedIn, bilal: SignedIn) -> None:
    mine = _pay(client, ayesha, AYESHA_CHALLAN)
    theirs = _pay(client, bilal, BILAL_OVERDUE)
    assert mine.status_code == theirs.status_code == 202
    assert mine.json["reference"] != theirs.json["reference"]


def test_unpayable_bills_answer_with_stable_codes(client: FlaskClient, ayesha: SignedIn) -> None:
    paid = _pay(client, ayesha, "10000000000000003", key="k-paid")
    blocked = _pay(client, ayesha, BILAL_BLOCKED, key="k-blocked")
    assert (paid.status_code, paid.json["code"]) == (409, "bill_already_paid")
    assert (blocked.status_code, blocked.json["code"]) == (409, "bill_blocked")
    _pay(client, ayesha, AYESHA_CHALLAN, key="k-1")
    in_flight = _pay(client, ayesha, AYESHA_CHALLAN, key="k-2")
    assert (in_flight.status_code, in_flight.json["code"]) == (409, "payment_in_flight")


def test_someone_pays_another_citizens_challan_but_only_the_payer_sees_the_payment(
        client: FlaskClient, ayesha: SignedIn, bilal: SignedIn) -> None:
    payment = _pay(client, ayesha, BILAL_OVERDUE).json
    assert payment["amount"] == 150000, "overdue: the after-due amount"
    assert client.get(f"/api/v1/payments/{payment['reference']}", headers=bilal.headers).status_code == 404
    assert client.get("/api/v1/payments/PZZZZZZZZZ", headers=bilal.headers).status_code == 404
    assert client.get("/api/v1/payments", headers=bilal.headers).json["items"] == []


def test_notifications_list_what_was_sent_with_status_and_hide_old_codes(
        client: FlaskClient, ayesha: SignedIn, bilal: SignedIn, run_jobs: Callable[[], None]) -> None:
    run_jobs()  # drain the outbox into SMS messages and send them (console provider)
    items = client.get("/api/v1/notifications", headers=ayesha.headers).json["items"]
    assert [m["kind"] for m in items] == ["otp"]
    [otp] = items
    assert otp["to"] == ayesha.msisdn and otp["channel"] == "sms" and otp["status"] in {"sent", "delivered"}
    assert "******" in otp["body"] and not any(ch.isdigit() for ch in otp["body"].split("******")[0][-3:])
    theirs = client.get("/api/v1/notifications", headers=bilal.headers).json["items"]
    assert [m["to"] for m in theirs] == [bilal.msisdn]
