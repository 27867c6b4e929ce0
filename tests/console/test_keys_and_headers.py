"""API keys from the console (shown once, scoped to the agency, audited) and the console's security headers."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.audit.models import AuditEntry
from app.auth.models import AgencyApiKey
from app.runtime import Runtime
from tests.console.conftest import Console
from tests.fixtures.api import agency_headers


def test_a_supervisor_creates_a_key_shown_once_and_revokes_only_their_agencys(
        psca_supervisor: Console, client: FlaskClient, runtime: Runtime, session: Session) -> None:
    created = psca_supervisor.post("/console/keys", {"label": "<b>reconciliation</b>"}, token_from="/console/keys")
    html = created.get_data(as_text=True)
    secret = re.search(r'id="new-key">(rbk_[^<]+)<', html)
    assert created.status_code == 201 and secret is not None
    assert "&lt;b&gt;reconciliation&lt;/b&gt;" in html
    api = client.get("/api/v1/agency/requests", headers={"Authorization": f"Bearer {secret.group(1)}"})
    assert api.status_code == 200
    assert secret.group(1) not in psca_supervisor.get("/console/keys").get_data(as_text=True)

    agency_headers(runtime, "DC")
    other = session.exec(select(AgencyApiKey).where(AgencyApiKey.label == "tests")).one()
    assert psca_supervisor.post(f"/console/keys/{other.key_id}/revoke", {}).status_code == 404
    session.rollback()
    assert session.get(AgencyApiKey, other.id).revoked_at is None  # type: ignore[union-attr]
    key_id = secret.group(1).split("_")[1]
    psca_supervisor.post(f"/console/keys/{key_id}/revoke", {}, token_from="/console/keys")
    assert client.get("/api/v1/agency/requests",
                      headers={"Authorization": f"Bearer {secret.group(1)}"}).status_code == 401
    session.rollback()
    actions = [e.action for e in session.exec(select(AuditEntry).where(AuditEntry.actor == "supervisor@psca.demo"))]
    assert "key.created" in actions and "key.revoked" in actions


def test_every_console_page_has_the_security_headers_and_no_inline_script(dc_officer: Console,
                                                                          client: FlaskClient) -> None:
    for answer in (dc_officer.get("/console/"), client.get("/console/login"),
                   dc_officer.get("/console/applications/PSP-2026-000002")):
        csp = answer.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "no-referrer"
        assert "<script>" not in answer.get_data(as_text=True)
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
