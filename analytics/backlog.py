"""The applications backlog: a snapshot (open applications by agency, status and age, and how many are
overdue), replaced on every refresh. "Overdue" is the domain's rule (`queries.overdue_rank`), never a copy."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from analytics.models import DailyRollup
from app.applications.models import TERMINAL_STATUSES, ServiceRequest
from app.applications.queries import overdue_rank

BACKLOG = "app.backlog"
SNAPSHOT_DAY = date(1970, 1, 1)  # the backlog is "now", not a series: one fixed day in analytics_daily
AGE_BANDS: tuple[tuple[str, int], ...] = (("0-2d", 2), ("3-7d", 7), ("8-30d", 30), ("31d+", 10**6))


def age_band(age: timedelta) -> str:
    for name, days in AGE_BANDS:
        if age.days <= days:
            return name
    return AGE_BANDS[-1][0]


def snapshot_backlog(session: Session, now: datetime, postgres: bool) -> int:
    from analytics.refresh import drop_stale, upsert

    rank = overdue_rank(now)
    rows = session.execute(
        select(col(ServiceRequest.agency_id), col(ServiceRequest.status), col(ServiceRequest.submitted_at), rank)
        .where(col(ServiceRequest.status).not_in(TERMINAL_STATUSES)))
    figures: dict[Any, list[Any]] = {}
    for agency_id, status, submitted_at, overdue in rows:
        key = (SNAPSHOT_DAY, BACKLOG, int(agency_id), age_band(now - submitted_at), status)
        entry = figures.setdefault(key, [0, 0, None])
        entry[0] += 1
        entry[1] += 1 if int(overdue) == 0 else 0
    upsert(session, DailyRollup, figures, postgres)
    drop_stale(session, DailyRollup, [BACKLOG], SNAPSHOT_DAY, SNAPSHOT_DAY + timedelta(days=1), figures)
    return len(figures)
