"""Migrations are reviewed code: one head, and they agree with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from app.migrate import alembic_config
from app.models import load_all_models, metadata
from app.runtime import Runtime


def test_there_is_exactly_one_migration_head(database_url: str) -> None:
    heads = ScriptDirectory.from_config(alembic_config(database_url)).get_heads()
    assert len(heads) == 1, heads


def test_the_migrated_schema_matches_the_models(runtime: Runtime) -> None:
    load_all_models()
    with runtime.db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == []
