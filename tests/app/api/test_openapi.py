"""The OpenAPI 3.1 document and the docs page."""

from __future__ import annotations

from flask.testing import FlaskClient

from app.api.framework import OPERATIONS

EXPECTED = {
    ("post", "/api/v1/auth/otp"), ("post", "/api/v1/auth/token"), ("post", "/api/v1/auth/refresh"),
    ("post", "/api/v1/auth/logout"), ("get", "/api/v1/me"), ("patch", "/api/v1/me"), ("put", "/api/v1/me/pin"),
    ("get", "/api/v1/services"), ("post", "/api/v1/requests"), ("get", "/api/v1/requests"),
    ("get", "/api/v1/requests/{tracking}"), ("get", "/api/v1/bills"), ("get", "/api/v1/bills/{psid}"),
    ("post", "/api/v1/payments"), ("get", "/api/v1/payments"), ("get", "/api/v1/payments/{reference}"),
    ("get", "/api/v1/wallets"),
    ("get", "/api/v1/notifications"), ("post", "/api/v1/agency/bills"),
    ("post", "/api/v1/agency/bills/{psid}/block"), ("post", "/api/v1/agency/bills/{psid}/unblock"),
    ("get", "/api/v1/agency/requests"), ("post", "/api/v1/agency/requests/{tracking}/transitions"),
    ("get", "/api/v1/agency/payments"),
}


def test_the_document_is_openapi_3_1_and_lists_every_operation(client: FlaskClient) -> None:
    doc = client.get("/openapi.json").json
    assert doc["openapi"] == "3.1.0"
    listed = {(method, path) for path, item in doc["paths"].items() for method in item}
    assert listed == EXPECTED
    assert len(OPERATIONS) == len(EXPECTED)


def test_request_bodies_refuse_unknown_fields_in_the_schema_too(client: FlaskClient) -> None:
    doc = client.get("/openapi.json").json
    schemas = doc["components"]["schemas"]
    for item in doc["paths"].values():
        for op in item.values():
            if "requestBody" in op:
                name = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
                assert schemas[name]["additionalProperties"] is False, name


def test_each_operation_declares_its_credentials_and_problem_responses(client: FlaskClient) -> None:
    doc = client.get("/openapi.json").json
    assert set(doc["components"]["securitySchemes"]) == {"citizen", "agency"}
    paths = doc["paths"]
    assert paths["/api/v1/agency/bills"]["post"]["security"] == [{"agency": []}]
    assert paths["/api/v1/bills"]["get"]["security"] == [{"citizen": []}]
    assert paths["/api/v1/auth/otp"]["post"]["security"] == []
    problem = paths["/api/v1/bills"]["get"]["responses"]["default"]["content"]["application/problem+json"]
    assert problem["schema"]["$ref"] == "#/components/schemas/Problem"
    idempotency = [p for p in paths["/api/v1/payments"]["post"]["parameters"] if p["name"] == "Idempotency-Key"]
    assert idempotency and idempotency[0]["required"] is True and idempotency[0]["in"] == "header"
    limit = next(p for p in paths["/api/v1/bills"]["get"]["parameters"] if p["name"] == "limit")
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 100)


def test_the_docs_page_uses_only_its_own_assets(client: FlaskClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "https://" not in html and "http://" not in html and "//cdn" not in html
    assert "<script>" not in html, "no inline script: the CSP forbids it"
    for asset in ("/docs/static/docs.js", "/docs/static/docs.css"):
        assert asset in html
        served = client.get(asset)
        assert served.status_code == 200 and b"http" not in served.data.replace(b"/openapi.json", b"")
        served.close()


def test_the_vendored_swagger_ui_is_the_pinned_release_unmodified(client: FlaskClient) -> None:
    import hashlib

    from app.api.docs import STATIC_DIR, SWAGGER_UI_VERSION

    html = client.get("/docs").get_data(as_text=True)
    sums = (STATIC_DIR / "swagger-ui" / "SHA256SUMS").read_text().split("\n")
    assert f"swagger-ui-dist {SWAGGER_UI_VERSION}" in (STATIC_DIR / "swagger-ui" / "VERSION").read_text()
    for line in filter(None, sums):
        digest, name = line.split()
        url = f"/docs/static/swagger-ui/{name}?v={SWAGGER_UI_VERSION}"
        assert url in html
        served = client.get(url)
        assert served.status_code == 200 and hashlib.sha256(served.data).hexdigest() == digest
        served.close()
