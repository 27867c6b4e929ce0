"""`rabta seed --volume N` and `rabta analytics refresh`, and two refreshes at once."""

from __future__ import annotations

import threading

from flask import Flask
from sqlalchemy import func
from sqlmodel import Session, col, select

from analytics.models import DailyRollup, UssdHop, UssdSession
from analytics.refresh import refresh
from app.bills.models import Bill
from app.citizens.models import Citizen
from app.cli import cli as rabta
from app.runtime import Runtime
from app.seed import AYESHA, BILAL
from payments.models import Payment
from tests.analytics.helpers import rollups


def _demo_rows(session: Session) -> list[object]:
    session.rollback()  # a fresh snapshot: the seed wrote on its own connection
    citizens = list(session.exec(select(Citizen).where(col(Citizen.msisdn).in_([AYESHA, BILAL]))))
    bills = list(session.exec(select(Bill).where(col(Bill.citizen_id).in_([c.id for c in citizens]))))
    return [c.model_dump() for c in citizens] + [b.model_dump() for b in bills]


def test_seed_volume_writes_a_history_and_leaves_the_demo_citizens_alone(demo: None, app: Flask, runtime: Runtime,
                                                                          session: Session) -> None:
    before = _demo_rows(session)
    result = app.test_cli_runner().invoke(rabta, args=["seed", "--volume", "300"])
    assert result.exit_code == 0, result.output
    assert "payment 300" in result.output
    assert _demo_rows(session) == before
    session.rollback()
    synthetic = session.exec(select(Citizen).where(col(Citizen.msisdn).like("+92398%"))).all()
    assert len(synthetic) == 60 and all(c.name == "" and c.cnic is None for c in synthetic)
    assert session.scalar(select(func.count()).select_from(Payment)) == 300
    hops = session.scalar(select(func.count()).select_from(UssdHop))
    assert 300 * 20 <= hops < 300 * 20 + 20  # about 20 hops per payment
    assert session.scalar(select(func.count()).select_from(UssdSession)) > 0

    again = app.test_cli_runner().invoke(rabta, args=["seed", "--volume", "100"])  # a second run adds, never clashes
    assert again.exit_code == 0, again.output
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Payment)) == 400

    refreshed = app.test_cli_runner().invoke(args=["analytics", "refresh"])
    assert refreshed.exit_code == 0, refreshed.output
    assert "roll-ups up to date" in refreshed.output
    session.rollback()
    started = session.exec(select(func.sum(DailyRollup.count)).where(DailyRollup.metric == "pay.started")).one()
    assert started == 400


def test_seed_without_a_choice_says_what_to_do(app: Flask) -> None:
    result = app.test_cli_runner().invoke(rabta, args=["seed"])
    assert result.exit_code != 0 and "--demo" in result.output and "--volume" in result.output


def test_two_refreshes_at_once_give_what_one_gives(app: Flask, runtime: Runtime, session: Session) -> None:
    assert app.test_cli_runner().invoke(rabta, args=["seed", "--volume", "200"]).exit_code == 0
    errors: list[BaseException] = []

    def run() -> None:
        try:
            refresh(runtime.db, runtime.settings.TIMEZONE)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    session.rollback()
    both = rollups(session)
    refresh(runtime.db, runtime.settings.TIMEZONE)
    session.rollback()
    assert rollups(session) == both


def test_the_worker_refreshes_the_roll_ups_periodically(runtime: Runtime, session: Session, run_jobs) -> None:  # type: ignore[no-untyped-def]
    from app.scheduler import PERIODIC_JOBS, tick
    from ussd import funnel

    runtime.redis.lpush(funnel.LOG_KEY, b'{"s":"S1","t":1764680000000,"sc":"home","e":[["home","arrival"]],"ms":7}')
    jobs = [job for job in PERIODIC_JOBS if job.name == "analytics-refresh"]
    assert tick(runtime, jobs) == ["analytics-refresh"]
    run_jobs()
    session.rollback()
    assert [(hop.screen, hop.ms) for hop in session.exec(select(UssdHop))] == [("home", 7)]
    assert any(key[1] == "ussd.arrival" for key in rollups(session))
