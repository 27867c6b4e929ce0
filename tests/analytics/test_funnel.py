"""The durable funnel: scripted USSD sessions through the real gateway, drained and rolled up."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session, select

from analytics.boards import funnel_rows
from analytics.models import UssdHop, UssdSession
from analytics.queries import fetch
from analytics.refresh import refresh
from analytics.ussd_log import drain
from app.runtime import Runtime
from tests.fixtures.ussd import AYESHA, UssdCall
from ussd import funnel


def test_the_funnel_of_a_scripted_set_of_sessions(demo: None, runtime: Runtime, session: Session,
                                                  dial: Callable[..., UssdCall]) -> None:
    finished = dial(AYESHA)
    finished.send("2", "DOM-2026-000001", "0", "00")
    finished.end("Success")
    dropped = dial(AYESHA)
    dropped.send("1", "not a psid")
    dropped.end("Incomplete")

    assert drain(runtime.db, runtime.redis) == 10  # 8 hops and 2 session ends
    assert runtime.redis.llen(funnel.LOG_KEY) == 0
    refresh(runtime.db, runtime.settings.TIMEZONE)

    sessions = {s.session_id: s for s in session.exec(select(UssdSession))}
    assert {(s.outcome, s.hops, s.last_screen) for s in sessions.values()} == {
        ("completed", 5, "home"), ("timed_out", 3, "pay.psid")}
    assert all(s.duration_ms >= 0 for s in sessions.values())
    assert all(hop.ms >= 0 for hop in session.exec(select(UssdHop)))

    today = runtime.today()
    rows = {row[0]: row[1:] for row in funnel_rows(fetch(session, ["ussd.arrival", "ussd.completion", "ussd.back",
                                                                   "ussd.invalid", "ussd.timeout", "ussd.hop"],
                                                         today, today, None))}
    # arrivals, completions, back-outs, invalid inputs, timeouts, drop-off %, hop p50, hop p95
    assert rows["home"][:5] == [3, 2, 0, 0, 0]  # two dials and one 00
    assert rows["status.tracking"][:2] == [2, 1]  # reached twice (once by going back), completed once
    assert rows["status.show"][2] == 1
    assert rows["pay.psid"][3:5] == [1, 1]
    assert rows["pay.psid"][5] == 100.0  # reached once, timed out once
    assert rows["home"][6] is not None and rows["home"][7] >= rows["home"][6]
    # The same figures as the live Redis counters of the channel
    live = funnel.read(runtime.redis)
    assert rows["home"][0] == live["home"]["arrival"] and rows["status.show"][2] == live["status.show"]["back"]


def test_a_failed_insert_puts_the_log_entries_back(runtime: Runtime) -> None:
    runtime.redis.lpush(funnel.LOG_KEY, b'{"s":"x","t":1,"sc":"home","e":[],"ms":3}')
    runtime.db.dispose()

    class Broken:
        is_sqlite = runtime.db.is_sqlite

        def transaction(self):  # type: ignore[no-untyped-def]
            raise RuntimeError("database down")

    with pytest.raises(RuntimeError):
        drain(Broken(), runtime.redis)  # type: ignore[arg-type]
    assert runtime.redis.llen(funnel.LOG_KEY) == 1
