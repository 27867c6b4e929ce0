"""Officer accounts (`rabta officers ...`), the TOTP second factor, the officer loader other pages use, the
audit log's append-only table and its streamed export, and the agency API writing the same audit entries."""

from __future__ import annotations

import csv
import io

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from app.audit.models import AuditEntry
from app.audit.service import record
from app.officers.models import Officer
from app.officers_scope import current_officer
from app.runtime import Runtime
from tests.console.conftest import Console, csrf_token, sign_in
from tests.fixtures.api import agency_headers


def test_officers_create_list_disable_from_the_cli(app: Flask, client: FlaskClient, session: Session,
                                                   demo: None) -> None:
    runner = app.test_cli_runner()
    created = runner.invoke(args=["officers", "create", "clerk@etd.demo", "--agency", "ETD", "--role", "officer"])
    assert created.exit_code == 0, created.output
    password = created.stdout.strip().splitlines()[-1]
    officer = session.exec(select(Officer).where(Officer.email == "clerk@etd.demo")).one()
    assert officer.role == "officer" and password not in officer.password_hash
    assert sign_in(client, "clerk@etd.demo", password).status_code == 303
    assert "clerk@etd.demo" in runner.invoke(args=["officers", "list"]).output
    assert runner.invoke(args=["officers", "disable", "clerk@etd.demo"]).exit_code == 0
    assert client.get("/console/").status_code == 303  # the live session is refused
    refused = runner.invoke(args=["officers", "create", "x@etd.demo", "--role", "officer"])
    assert refused.exit_code != 0 and "belongs to an agency" in refused.output
    session.rollback()
    actions = [e.action for e in session.exec(select(AuditEntry).where(AuditEntry.actor == "cli"))]
    assert actions == ["officer.created", "officer.disabled"]


def test_an_account_with_totp_needs_the_code(app: Flask, client: FlaskClient, session: Session, demo: None) -> None:
    created = app.test_cli_runner().invoke(args=["officers", "create", "sup@dc.demo", "--agency", "DC", "--role",
                                                 "supervisor", "--totp"])
    password = created.stdout.strip().splitlines()[-1]
    secret = session.exec(select(Officer.totp_secret).where(Officer.email == "sup@dc.demo")).one()
    answer = sign_in(client, "sup@dc.demo", password)
    assert answer.status_code == 303 and answer.headers["Location"].startswith("/console/login/totp")
    assert client.get("/console/").status_code == 303  # not signed in before the second factor
    form = client.get("/console/login/totp")
    wrong = client.post("/console/login/totp", data={"code": "000000", "csrf_token": csrf_token(form)})
    assert wrong.status_code == 401 and "That code is not right" in wrong.get_data(as_text=True)
    right = client.post("/console/login/totp", data={"code": pyotp.TOTP(secret).now(),
                                                     "csrf_token": csrf_token(wrong)})
    assert right.status_code == 303 and client.get("/console/").status_code == 200


def test_other_pages_learn_the_officer_through_current_officer(app: Flask, dc_officer: Console) -> None:
    with app.test_request_context("/analytics/"):
        assert current_officer() is None  # no console cookie: nobody
    cookie = dc_officer.client.get_cookie("session")
    assert cookie is not None
    with app.test_request_context("/analytics/", headers={"Cookie": f"session={cookie.value}"}):
        scope = current_officer()
        assert scope is not None and (scope.email, scope.role) == ("officer@dc.demo", "officer")


def test_the_agency_api_writes_the_same_audit_entries(client: FlaskClient, runtime: Runtime, session: Session,
                                                      demo: None) -> None:
    headers = agency_headers(runtime, "DC")
    moved = client.post("/api/v1/agency/requests/DOM-2026-000001/transitions", headers=headers,
                        json={"to": "approved", "note": "ok"})
    assert moved.status_code == 200, moved.json
    client.post("/api/v1/agency/bills/10000000000000005/unblock", headers=headers)
    rows = [(e.actor, e.action, e.subject) for e in session.exec(select(AuditEntry).order_by(AuditEntry.id))]
    assert rows == [("agency:DC", "application.transition", "DOM-2026-000001"),
                    ("agency:DC", "bill.unblocked", "10000000000000005")]


def test_the_audit_export_streams_what_the_filters_select(admin: Console, runtime: Runtime) -> None:
    with runtime.db.transaction() as session:
        for number in range(1200):
            record(session=session, actor="bulk@test", action="pii.revealed", subject=f"citizen:{number}")
    answer = admin.get("/console/export/audit.csv?action=pii.revealed&actor=bulk@test")
    assert answer.is_streamed and answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert len(rows) == 1200 and {r["action"] for r in rows} == {"pii.revealed"}
    assert rows[0]["subject"] == "citizen:1199"  # newest first, like the page


def test_the_audit_log_refuses_updates_and_deletes_on_postgresql(runtime: Runtime, demo: None) -> None:
    if runtime.db.is_sqlite:
        pytest.skip("the append-only trigger is PostgreSQL's (SQLite: the app has no update or delete path)")
    with runtime.db.transaction() as session:
        record(session=session, actor="a@b.c", action="sign_in")
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), runtime.db.transaction() as session:
            session.execute(text(statement))
