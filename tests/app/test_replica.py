"""The read-only replica for dashboards and exports: a second database handle that can read and never write."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from app import create_app
from app.catalogue.models import Agency
from app.runtime import Runtime
from app.settings import Settings
from tests.factories import make_agency


@pytest.fixture
def with_replica(settings: Settings) -> Iterator[Runtime]:
    """The app with DATABASE_REPLICA_URL pointing at the test database (a stand-in for a streaming replica)."""
    app = create_app(settings.model_copy(update={"DATABASE_REPLICA_URL": settings.database_url}))
    runtime: Runtime = app.extensions["rabta"]
    yield runtime
    runtime.read_db.dispose()
    runtime.db.dispose()


def test_without_a_replica_url_reads_go_to_the_primary(runtime: Runtime) -> None:
    assert runtime.read_db is runtime.db


def test_the_replica_reads_what_the_primary_committed(with_replica: Runtime) -> None:
    assert with_replica.read_db is not with_replica.db and with_replica.read_db.read_only
    with with_replica.db.transaction() as session:
        make_agency(session, code="RPL", name_en="Replica Agency")
    with with_replica.read_db.transaction(immediate=False) as session:
        agency = session.exec(select(Agency).where(Agency.code == "RPL")).one()
    assert agency.name_en == "Replica Agency"


def test_the_replica_refuses_every_write(with_replica: Runtime) -> None:
    with pytest.raises(DBAPIError, match=r"(?i)read-only|readonly"), \
            with_replica.read_db.transaction(immediate=False) as session:
        make_agency(session, code="NOPE")
    with with_replica.db.transaction(immediate=False) as session:
        assert session.exec(select(Agency).where(Agency.code == "NOPE")).first() is None
