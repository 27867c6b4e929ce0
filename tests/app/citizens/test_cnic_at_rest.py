"""CNICs at rest: a database dump alone does not reveal them, and lookups by CNIC still work."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import String, inspect, text
from sqlmodel import Session

from app.citizens import cnic_vault
from app.citizens.service import find_by_cnic, find_citizen_by_cnic, register_citizen
from app.identity.models import PendingCnicLink
from app.identity.sandbox import SandboxIdentity
from app.identity.service import link_cnic
from app.runtime import Runtime
from app.settings import ConfigurationError, Settings
from tests.factories import make_citizen

CNIC = "3720198765431"
THIRTEEN_DIGITS = re.compile(r"(?<!\d)\d{13}(?!\d)")


def _dump(runtime: Runtime) -> list[str]:
    """Every text value of every table, as `pg_dump` or `.dump` would show them."""
    values: list[str] = []
    inspector = inspect(runtime.db.engine)
    with runtime.db.engine.connect() as connection:
        for table in inspector.get_table_names():
            columns = [c["name"] for c in inspector.get_columns(table) if isinstance(c["type"], String)]
            if not columns:
                continue
            quoted = ", ".join(f'"{name}"' for name in columns)
            for row in connection.execute(text(f'SELECT {quoted} FROM "{table}"')):
                values.extend(str(value) for value in row if value is not None)
    return values


def test_a_registered_cnic_is_sealed_in_the_database_and_still_found(runtime: Runtime, session: Session) -> None:
    citizen = register_citizen(session=session, msisdn="03001112223", cnic="37201-9876543-1")
    session.commit()
    with runtime.db.engine.connect() as connection:
        stored, hashed = connection.execute(text("SELECT cnic, cnic_hash FROM citizen WHERE id = :id"),
                                            {"id": citizen.id}).one()
    assert CNIC not in stored and not THIRTEEN_DIGITS.search(stored)
    assert cnic_vault.open_(stored) == CNIC and hashed == cnic_vault.lookup_hash(CNIC)
    session.expire_all()
    assert citizen.cnic == CNIC  # the code still sees the digits
    assert find_citizen_by_cnic(session=session, cnic="37201-9876543-1") == citizen
    assert find_by_cnic(session=session, cnic=CNIC) == citizen
    assert find_by_cnic(session=session, cnic="3720198765432") is None


def test_no_table_shows_a_cnic_after_registering_holding_a_link_and_issuing_a_bill(
        runtime: Runtime, session: Session, client: FlaskClient, psca: dict[str, str]) -> None:
    register_citizen(session=session, msisdn="03001112223", cnic=CNIC)
    claimant = make_citizen(session, "+923005550009")
    held = link_cnic(session=session, citizen=claimant, cnic="4210155555557", identity=SandboxIdentity())
    session.commit()
    assert held.outcome == "pending" and held.pending is not None
    bill = client.post("/api/v1/agency/bills", headers=psca, json={
        "kind": "challan", "description": "Signal violation", "amount_within_due": 200000,
        "amount_after_due": 300000, "due_date": "2099-01-01", "citizen_cnic": "37201-9876543-1"}).json
    assert bill["citizen_notified"] is True, "the CNIC lookup found the citizen"

    dump = "\n".join(_dump(runtime))
    assert CNIC not in dump and "4210155555557" not in dump
    assert "37201-9876543-1" not in dump and "42101-5555555-7" not in dump
    session.expire_all()
    link = session.get(PendingCnicLink, held.pending.id)
    assert link is not None and link.cnic == "4210155555557"
    assert link.cnic_hash == cnic_vault.lookup_hash("4210155555557")


def test_moving_a_cnic_clears_the_old_holders_hash(session: Session) -> None:
    first = make_citizen(session, "+923005556543")
    second = make_citizen(session, "+923007776543")
    identity = SandboxIdentity()
    assert link_cnic(session=session, citizen=first, cnic="4220176546543", identity=identity).outcome == "linked"
    assert link_cnic(session=session, citizen=second, cnic="4220176546543", identity=identity).outcome == "linked"
    session.commit()
    assert first.cnic is None and first.cnic_hash is None
    assert find_citizen_by_cnic(session=session, cnic="4220176546543") == second


def test_production_refuses_the_placeholder_cnic_key(base_settings: Settings) -> None:
    fields = base_settings.model_dump()
    fields.update(RABTA_ENV="production", SECRET_KEY="a-real-long-secret-for-signing-0123456789",
                  CNIC_ENCRYPTION_KEY="dev-insecure-cnic-key")
    with pytest.raises(ConfigurationError, match="CNIC_ENCRYPTION_KEY"):
        Settings(**fields)
    assert not any("CNIC_ENCRYPTION_KEY" in problem for problem in
                   base_settings.model_copy(update={"CNIC_ENCRYPTION_KEY": "x" * 40}).production_problems())
