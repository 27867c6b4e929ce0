"""What keeps the analytics fast at volume: the seed's bulk path, the warmed dashboards, the compact roll-ups."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, func, text
from sqlmodel import Session, select

from analytics import cache, public, volume
from analytics.boards import BOARDS
from analytics.models import DailyRollup, Rollup, UssdHop, UssdSession
from analytics.queries import RANGES, parse_period
from analytics.volume import TABLES, seed_volume
from app.catalogue.models import Agency
from app.officers_scope import OfficerScope
from app.runtime import Runtime


def test_the_seed_writes_what_it_counts_and_every_session_its_hops(runtime: Runtime, session: Session) -> None:
    counts = seed_volume(runtime.db, 250, progress=lambda _line: None)
    session.rollback()
    for table in TABLES:
        assert session.scalar(text(f"SELECT count(*) FROM {table}")) == counts[table], table
    assert counts["payment"] == 250 and 250 * 20 <= counts["ussd_hop"] < 250 * 20 + 20
    # Each session's hops: as many as it says, consecutive ids, in time order, from its start to its end.
    sessions = {s.session_id: s for s in session.exec(select(UssdSession))}
    hops: dict[str, list[UssdHop]] = {}
    for hop in session.exec(select(UssdHop).order_by(UssdHop.id)):  # type: ignore[arg-type]
        hops.setdefault(hop.session_id, []).append(hop)
    assert set(hops) == set(sessions)
    for session_id, rows in hops.items():
        owner = sessions[session_id]
        assert len(rows) == owner.hops
        assert [h.id for h in rows] == list(range(rows[0].id or 0, (rows[0].id or 0) + len(rows)))
        assert rows[0].at == owner.started_at and rows[0].screen == "home"
        assert all(a.at <= b.at for a, b in itertools.pairwise(rows)) and rows[-1].at < owner.ended_at
        assert owner.outcome != "completed" or rows[-1].screen == owner.last_screen
    outcomes = dict(session.execute(text("SELECT outcome, count(*) FROM ussd_session GROUP BY outcome")).all())
    assert outcomes["completed"] > outcomes.get("timed_out", 0) > 0


def test_a_second_seed_on_the_same_connection_pool_works(runtime: Runtime, session: Session) -> None:
    """The bulk path leaves its connection as it found it (settings, temporary tables) for the next user."""
    seed_volume(runtime.db, 40, progress=lambda _line: None)
    seed_volume(runtime.db, 40, progress=lambda _line: None)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(UssdSession)) > 0
    if not runtime.db.is_sqlite:
        role = session.scalar(text("SHOW session_replication_role"))
        assert role == "origin"


def test_warming_stores_every_standard_board_and_the_pages_read_it(
        app: Flask, client: FlaskClient, runtime: Runtime, session: Session, two_agencies: tuple[Agency, Agency],
        sign_in: Callable[..., OfficerScope]) -> None:
    a, b = two_agencies
    with app.app_context():
        stored = cache.warm(runtime)
    assert stored == len(BOARDS) * len(RANGES) * (1 + session.scalar(select(func.count()).select_from(Agency))) + 1
    for name in RANGES:
        period = parse_period({"range": name}, runtime.today())[0]
        for agency_id in (None, a.id, b.id):
            assert runtime.redis.exists(cache.key("collections", agency_id, period))
    assert runtime.redis.exists(public.CACHE_KEY)
    # The roll-ups are gone, yet the page shows what the warmed board says (it read no roll-up).
    session.execute(delete(DailyRollup))
    session.execute(delete(Rollup))
    session.commit()
    sign_in("admin")
    page = client.get("/console/dashboards/collections?range=today").get_data(as_text=True)
    assert "7,300.0 PKR" in page or "7,300" in page


def test_a_bulk_seed_builds_again_every_index_it_deferred(runtime: Runtime, session: Session,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    if runtime.db.is_sqlite:
        pytest.skip("PostgreSQL only: SQLite keeps its indexes during the seed")
    indexes = text("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1")
    before = session.execute(indexes).all()
    session.rollback()
    monkeypatch.setattr(volume, "DEFER_INDEXES_FROM", 1)  # as a seed of 100,000 payments or more does
    counts = seed_volume(runtime.db, 60, progress=lambda _line: None)
    session.rollback()
    assert session.execute(indexes).all() == before
    assert session.scalar(text("SELECT count(*) FROM payment")) == counts["payment"] == 60
