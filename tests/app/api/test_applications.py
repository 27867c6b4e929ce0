"""The catalogue and a citizen's applications over the API."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.fixtures.api import SignedIn


def test_the_catalogue_lists_services_with_the_fields_they_need(client: FlaskClient, demo: None) -> None:
    response = client.get("/api/v1/services?limit=100")
    assert response.status_code == 200
    by_code = {s["code"]: s for s in response.json["items"]}
    assert len(by_code) == 10 and response.json["next_cursor"] is None
    assert by_code["BRC"]["agency_code"] == "LGD"
    assert [f["name"] for f in by_code["BRC"]["fields"]] == ["child_name", "date_of_birth"]
    assert by_code["DOM"]["fee"] == 20000 and by_code["DOM"]["currency"] == "PKR"


def test_the_catalogue_filters_by_agency_and_speaks_urdu(client: FlaskClient, demo: None) -> None:
    response = client.get("/api/v1/services?agency=dgip", headers={"Accept-Language": "ur"})
    assert [(s["code"], s["name"]) for s in response.json["items"]] == [("PSN", "نیا پاسپورٹ"),
                                                                        ("PSP", "پاسپورٹ کی تجدید")]
    assert client.get("/api/v1/services?agency=NOPE").status_code == 404


def test_the_catalogue_pages_with_a_cursor(client: FlaskClient, demo: None) -> None:
    seen: list[str] = []
    url = "/api/v1/services?limit=3"
    while url:
        page = client.get(url).json
        assert len(page["items"]) <= 3
        seen += [s["code"] for s in page["items"]]
        url = f"/api/v1/services?limit=3&cursor={page['next_cursor']}" if page["next_cursor"] else ""
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 10


def test_a_limit_outside_bounds_and_a_forged_cursor_are_field_errors(client: FlaskClient, demo: None) -> None:
    assert client.get("/api/v1/services?limit=0").json["errors"].keys() == {"limit"}
    assert client.get("/api/v1/services?limit=101").status_code == 422
    forged = client.get("/api/v1/services?cursor=bm90LWpzb24")
    assert forged.status_code == 422 and forged.json["errors"] == {"cursor": "invalid"}


def test_applying_returns_a_tracking_number_and_the_history(client: FlaskClient, bilal: SignedIn) -> None:
    response = client.post("/api/v1/requests", headers=bilal.headers,
                           json={"service": "dom", "details": {"cnic": "61101-7654321-1"}})
    assert response.status_code == 201
    body = response.json
    assert body["tracking_number"].startswith("DOM-") and body["status"] == "submitted"
    assert response.headers["Location"] == f"/api/v1/requests/{body['tracking_number']}"
    assert [e["to_status"] for e in body["history"]] == ["submitted"]
    listed = client.get("/api/v1/requests", headers=bilal.headers).json["items"]
    assert listed[0]["tracking_number"] == body["tracking_number"]


def test_application_fields_are_checked_against_the_service(client: FlaskClient, bilal: SignedIn) -> None:
    response = client.post("/api/v1/requests", headers=bilal.headers,
                           json={"service": "BRC", "details": {"date_of_birth": "1st May", "colour": "blue"}})
    assert response.status_code == 422
    assert response.json["errors"] == {"child_name": "required", "date_of_birth": "invalid format",
                                       "colour": "unknown field"}
    unknown = client.post("/api/v1/requests", headers=bilal.headers, json={"service": "XYZ", "details": {}})
    assert unknown.status_code == 404 and unknown.json["code"] == "service_not_found"


def test_my_applications_filter_by_status_and_page(client: FlaskClient, ayesha: SignedIn) -> None:
    everything = client.get("/api/v1/requests", headers=ayesha.headers).json["items"]
    assert [r["tracking_number"] for r in everything] == ["DOM-2026-000001", "PSP-2026-000002"]
    ready = client.get("/api/v1/requests?status=ready_for_collection", headers=ayesha.headers).json["items"]
    assert [r["tracking_number"] for r in ready] == ["PSP-2026-000002"]
    first = client.get("/api/v1/requests?limit=1", headers=ayesha.headers).json
    second = client.get(f"/api/v1/requests?limit=1&cursor={first['next_cursor']}", headers=ayesha.headers).json
    assert [r["tracking_number"] for r in first["items"] + second["items"]] == [r["tracking_number"]
                                                                                for r in everything]
    assert second["next_cursor"] is None


def test_an_application_shows_its_status_history(client: FlaskClient, ayesha: SignedIn) -> None:
    response = client.get("/api/v1/requests/psp-2026-000002", headers=ayesha.headers)
    assert response.status_code == 200
    assert [e["to_status"] for e in response.json["history"]] == ["submitted", "under_review", "approved",
                                                                   "ready_for_collection"]
    assert response.json["next_step"] == "Collect with your CNIC."


def test_another_citizens_application_answers_404(client: FlaskClient, ayesha: SignedIn, bilal: SignedIn) -> None:
    theirs = client.get("/api/v1/requests/BRC-2026-000003", headers=ayesha.headers)
    missing = client.get("/api/v1/requests/BRC-2026-999999", headers=ayesha.headers)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json == missing.json | {"detail": theirs.json["detail"]}
    assert client.get("/api/v1/requests/BRC-2026-000003", headers=bilal.headers).status_code == 200
