"""Migrations are reviewed code: one head, and they agree with the models."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from app.citizens import cnic_vault
from app.migrate import alembic_config, downgrade, upgrade
from app.models import load_all_models, metadata
from app.runtime import Runtime
from app.timeutil import utcnow
from tests.support import scratch_database


def test_there_is_exactly_one_migration_head(database_url: str) -> None:
    heads = ScriptDirectory.from_config(alembic_config(database_url)).get_heads()
    assert len(heads) == 1, heads


def test_the_migrated_schema_matches_the_models(runtime: Runtime) -> None:
    load_all_models()
    with runtime.db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_0011_seals_existing_cnics_and_the_downgrade_opens_them(tmp_path: Path) -> None:
    with scratch_database(tmp_path) as url:
        upgrade(url, "0010")
        engine = create_engine(url)
        try:
            with engine.begin() as connection:
                connection.execute(text(
                    "INSERT INTO citizen (id, msisdn, name, language, cnic, pin_failed_attempts, sms_opt_out,"
                    " created_at, updated_at) VALUES (1, '+923001234567', '', 'en', '3520212345672', 0, false,"
                    " :now, :now), (2, '+923001234568', '', 'en', NULL, 0, false, :now, :now)"), {"now": utcnow()})
                connection.execute(text(
                    "INSERT INTO pending_cnic_link (id, citizen_id, cnic, answer, status, created_at)"
                    " VALUES (1, 2, '4210155555557', 'unknown', 'pending', :now)"), {"now": utcnow()})
            upgrade(url, "0011")
            with engine.connect() as connection:
                citizens = connection.execute(text("SELECT cnic, cnic_hash FROM citizen ORDER BY id")).all()
                link = connection.execute(text("SELECT cnic, cnic_hash FROM pending_cnic_link")).one()
            assert citizens[1] == (None, None)
            assert "3520212345672" not in citizens[0][0] and cnic_vault.open_(citizens[0][0]) == "3520212345672"
            assert citizens[0][1] == cnic_vault.lookup_hash("3520212345672")
            assert cnic_vault.open_(link[0]) == "4210155555557" and link[1] == cnic_vault.lookup_hash("4210155555557")

            downgrade(url, "0010")
            with engine.connect() as connection:
                assert connection.execute(text("SELECT cnic FROM citizen ORDER BY id")).scalars().all() == [
                    "3520212345672", None]
                assert connection.execute(text("SELECT cnic FROM pending_cnic_link")).scalar_one() == "4210155555557"
        finally:
            engine.dispose()
