"""The agency API: keys, issuing and blocking bills, moving applications, reconciling payments."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from app.applications.models import StatusEvent
from app.auth.agency_keys import revoke_key
from app.bills.models import Bill
from app.notifications.models import Notification
from app.runtime import Runtime
from tests.factories import EVERYONE, local_day
from tests.fixtures.api import SignedIn, agency_headers, sign_in


def _challan(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {"kind": "challan", "description": "Signal violation", "amount_within_due": 200000,
                               "amount_after_due": 300000, "due_date": str(local_day() + timedelta(days=14)),
                               "citizen_msisdn": "03001234567"}
    body.update(overrides)
    return body


def _outbox(session: Session, kind: str) -> list[Notification]:
    session.rollback()
    return list(session.exec(select(Notification).where(Notification.kind == kind).order_by(col(Notification.id))))


def test_agency_endpoints_need_a_live_agency_key(client: FlaskClient, runtime: Runtime, psca: dict[str, str],
                                                 ayesha: SignedIn) -> None:
    assert client.get("/api/v1/agency/requests").status_code == 401
    assert client.get("/api/v1/agency/requests", headers=ayesha.headers).json["code"] == "invalid_token"
    wrong = {"Authorization": psca["Authorization"][:-4] + "AAAA"}
    assert client.get("/api/v1/agency/requests", headers=wrong).status_code == 401
    assert client.get("/api/v1/agency/requests", headers=psca).status_code == 200
    assert client.get("/api/v1/me", headers=psca).status_code == 401, "an agency key is not a citizen token"
    key_id = psca["Authorization"].split("_")[1]
    with runtime.db.transaction() as session:
        revoke_key(session=session, key_id=key_id)
    assert client.get("/api/v1/agency/requests", headers=psca).json["code"] == "invalid_token"


def test_an_agency_issues_a_challan_and_the_citizen_is_told(client: FlaskClient, session: Session,
                                                            psca: dict[str, str]) -> None:
    response = client.post("/api/v1/agency/bills", headers=psca, json=_challan())
    assert response.status_code == 201
    bill = response.json
    assert len(bill["psid"]) == 17 and bill["psid"].isdigit()
    assert bill["agency_code"] == "PSCA" and bill["status"] == "unpaid" and bill["citizen_notified"] is True
    assert response.headers["Location"] == f"/api/v1/bills/{bill['psid']}"
    [sms] = _outbox(session, "bill_issued")
    assert sms.msisdn == "+923001234567" and bill["psid"] in sms.body and "Rs 2,000" in sms.body
    stored = session.exec(select(Bill).where(Bill.psid == bill["psid"])).one()
    assert stored.citizen_id == sms.citizen_id


def test_every_issued_psid_is_unique(client: FlaskClient, psca: dict[str, str]) -> None:
    psids = {client.post("/api/v1/agency/bills", headers=psca, json=_challan()).json["psid"] for _ in range(5)}
    assert len(psids) == 5


def test_a_citizen_is_found_by_cnic_and_an_unknown_cnic_leaves_the_bill_unaddressed(
        client: FlaskClient, session: Session, psca: dict[str, str]) -> None:
    by_cnic = client.post("/api/v1/agency/bills", headers=psca,
                          json=_challan(citizen_msisdn=None, citizen_cnic="61101-7654321-1")).json
    assert by_cnic["citizen_notified"] is True
    assert _outbox(session, "bill_issued")[0].msisdn == "+923331234567"
    nobody = client.post("/api/v1/agency/bills", headers=psca,
                         json=_challan(citizen_msisdn=None, citizen_cnic="42101-1111111-1")).json
    assert nobody["citizen_notified"] is False
    assert len(_outbox(session, "bill_issued")) == 1


def test_a_new_number_gets_an_account_so_the_bill_waits_for_first_sign_in(
        client: FlaskClient, runtime: Runtime, psca: dict[str, str]) -> None:
    psid = client.post("/api/v1/agency/bills", headers=psca, json=_challan(citizen_msisdn="03451239876")).json["psid"]
    newcomer = sign_in(client, runtime, "03451239876")
    assert [b["psid"] for b in client.get("/api/v1/bills", headers=newcomer.headers).json["items"]] == [psid]


def test_issuing_validates_the_bill(client: FlaskClient, psca: dict[str, str]) -> None:
    cases = [
        (_challan(citizen_msisdn=None), "body"),
        (_challan(amount_within_due=0), "amount_within_due"),
        (_challan(amount_after_due=100), "amount_after_due"),
        (_challan(due_date=str(local_day() - timedelta(days=1))), "due_date"),
        (_challan(kind="bribe"), "kind"),
        (_challan(citizen_cnic="35202-1234567-2", citizen_msisdn="03331234567"), "citizen_cnic"),
        (_challan(psid="10000000000000009"), "psid"),
    ]
    for body, field in cases:
        response = client.post("/api/v1/agency/bills", headers=psca, json=body)
        assert response.status_code == 422, (field, response.json)
        assert field in response.json["errors"], (field, response.json)


def test_an_agency_blocks_and_unblocks_its_own_bill(client: FlaskClient, psca: dict[str, str],
                                                   ayesha: SignedIn) -> None:
    blocked = client.post("/api/v1/agency/bills/10000000000000001/block", headers=psca)
    assert blocked.status_code == 200 and blocked.json["status"] == "blocked"
    assert client.post("/api/v1/agency/bills/10000000000000001/block", headers=psca).json["status"] == "blocked"
    refused = client.post("/api/v1/payments", headers={**ayesha.headers, "Idempotency-Key": "b1"},
                          json={"psid": "10000000000000001"})
    assert refused.json["code"] == "bill_blocked"
    unblocked = client.post("/api/v1/agency/bills/10000000000000001/unblock", headers=psca)
    assert unblocked.json["status"] == "unpaid"


def test_a_paid_bill_cannot_be_blocked(client: FlaskClient, etd: dict[str, str]) -> None:
    response = client.post("/api/v1/agency/bills/10000000000000003/block", headers=etd)
    assert response.status_code == 409 and response.json["code"] == "bill_already_paid"


def test_another_agencys_bill_answers_404(client: FlaskClient, etd: dict[str, str]) -> None:
    theirs = client.post("/api/v1/agency/bills/10000000000000001/block", headers=etd)
    missing = client.post("/api/v1/agency/bills/19999999999999999/block", headers=etd)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json == missing.json


def test_agency_requests_show_only_theirs_overdue_first(client: FlaskClient, runtime: Runtime, demo: None) -> None:
    dgip = agency_headers(runtime, "DGIP")
    items = client.get("/api/v1/agency/requests", headers=dgip).json["items"]
    assert [r["tracking_number"] for r in items] == ["PSP-2026-000002"]
    assert items[0]["overdue"] is True and items[0]["details"] == {"cnic": "35202-1234567-2"}
    dc = agency_headers(runtime, "DC")
    assert [r["tracking_number"] for r in client.get("/api/v1/agency/requests", headers=dc).json["items"]] == [
        "DOM-2026-000001"]


def test_agency_requests_are_overdue_first_then_by_due_date_and_page(
        client: FlaskClient, runtime: Runtime, demo: None) -> None:
    dc = agency_headers(runtime, "DC")
    citizen = sign_in(client, runtime, "03451230000")
    for service in ("CHR", "DOM"):
        client.post("/api/v1/requests", headers=citizen.headers,
                    json={"service": service, "details": {"cnic": "42101-1234567-1"}})
    with runtime.db.transaction() as session:  # make DOM-2026-000001 overdue
        from app.applications.service import get_request

        request = get_request(viewer=EVERYONE, session=session, tracking_number="DOM-2026-000001")
        request.sla_due_at = request.submitted_at
        session.add(request)
    first = client.get("/api/v1/agency/requests?limit=2", headers=dc).json
    rest = client.get(f"/api/v1/agency/requests?limit=2&cursor={first['next_cursor']}", headers=dc).json
    items = first["items"] + rest["items"]
    assert items[0]["tracking_number"] == "DOM-2026-000001" and items[0]["overdue"] is True
    assert [r["service_code"] for r in items[1:]] == ["DOM", "CHR"], "7-day SLA before 10-day SLA"
    assert rest["next_cursor"] is None
    only_submitted = client.get("/api/v1/agency/requests?status=submitted", headers=dc).json["items"]
    assert {r["status"] for r in only_submitted} == {"submitted"} and len(only_submitted) == 2


def test_a_transition_records_history_and_notifies_the_citizen(client: FlaskClient, session: Session,
                                                               runtime: Runtime, ayesha: SignedIn) -> None:
    dc = agency_headers(runtime, "DC")
    response = client.post("/api/v1/agency/requests/DOM-2026-000001/transitions", headers=dc,
                           json={"to": "approved", "note": "Verified at the counter"})
    assert response.status_code == 200 and response.json["status"] == "approved"
    session.rollback()
    last = session.exec(select(StatusEvent).order_by(col(StatusEvent.id).desc())).first()
    assert last is not None and (last.to_status, last.actor, last.note) == ("approved", "agency:DC",
                                                                           "Verified at the counter")
    [sms] = _outbox(session, "status_change")
    assert sms.msisdn == ayesha.msisdn and "DOM-2026-000001" in sms.body
    history = client.get("/api/v1/requests/DOM-2026-000001", headers=ayesha.headers).json["history"]
    assert history[-1]["to_status"] == "approved" and history[-1]["note"] == "Verified at the counter"


def test_an_illegal_transition_is_409_and_another_agencys_application_404(
        client: FlaskClient, runtime: Runtime, demo: None) -> None:
    dc, psca = agency_headers(runtime, "DC"), agency_headers(runtime, "PSCA")
    illegal = client.post("/api/v1/agency/requests/DOM-2026-000001/transitions", headers=dc,
                          json={"to": "completed"})
    assert illegal.status_code == 409 and illegal.json["code"] == "illegal_transition"
    foreign = client.post("/api/v1/agency/requests/DOM-2026-000001/transitions", headers=psca,
                          json={"to": "approved"})
    assert foreign.status_code == 404 and foreign.json["code"] == "request_not_found"
    unknown_status = client.post("/api/v1/agency/requests/DOM-2026-000001/transitions", headers=dc,
                                 json={"to": "vanished"})
    assert unknown_status.status_code == 422 and "to" in unknown_status.json["errors"]


def test_agency_payments_show_only_payments_for_their_bills(client: FlaskClient, psca: dict[str, str],
                                                           etd: dict[str, str], ayesha: SignedIn) -> None:
    for key, psid in (("p1", "10000000000000001"), ("p2", "10000000000000002")):
        client.post("/api/v1/payments", headers={**ayesha.headers, "Idempotency-Key": key}, json={"psid": psid})
    psca_items = client.get("/api/v1/agency/payments", headers=psca).json["items"]
    etd_items = client.get("/api/v1/agency/payments", headers=etd).json["items"]
    assert [p["psid"] for p in psca_items] == ["10000000000000001"]
    assert [p["psid"] for p in etd_items] == ["10000000000000002"]
    assert psca_items[0]["channel"] == "app" and psca_items[0]["amount"] == 150000
