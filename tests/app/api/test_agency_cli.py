"""`rabta agency create-key|list-keys|revoke-key`."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.auth.models import AgencyApiKey


def test_create_key_prints_the_key_once_and_stores_only_its_hash(app: Flask, client: FlaskClient, session: Session,
                                                                  demo: None) -> None:
    result = app.test_cli_runner().invoke(args=["agency", "create-key", "psca", "--label", "reconciliation"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    assert secret.startswith("rbk_")
    [stored] = session.exec(select(AgencyApiKey)).all()
    assert stored.label == "reconciliation" and secret not in (stored.key_hash, stored.key_id)
    assert client.get("/api/v1/agency/requests", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_list_keys_never_shows_secrets_and_revoke_key_stops_a_key(app: Flask, client: FlaskClient,
                                                                   demo: None) -> None:
    runner = app.test_cli_runner()
    secret = runner.invoke(args=["agency", "create-key", "ETD"]).stdout.strip().splitlines()[-1]
    key_id = secret.split("_")[1]
    listed = runner.invoke(args=["agency", "list-keys"]).output
    assert key_id in listed and "ETD" in listed and "active" in listed and secret not in listed
    revoked = runner.invoke(args=["agency", "revoke-key", key_id])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert "revoked" in runner.invoke(args=["agency", "list-keys", "ETD"]).output
    assert client.get("/api/v1/agency/payments", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_unknown_agencies_and_keys_are_reported(app: Flask, demo: None) -> None:
    runner = app.test_cli_runner()
    unknown_agency = runner.invoke(args=["agency", "create-key", "NOPE"])
    assert unknown_agency.exit_code != 0 and "NOPE" in unknown_agency.output
    unknown_key = runner.invoke(args=["agency", "revoke-key", "abcdef"])
    assert unknown_key.exit_code != 0
