"""`/performance` and `/performance.json`: how the service performs, for anyone, without signing in.

Aggregates of the daily roll-ups only (never a person, never a number or a name of one), computed at most
once per `CACHE_SECONDS` (kept in Redis, so every web process serves the same figures) and cacheable by
browsers and proxies for as long.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, render_template

from analytics.boards import CHANNEL_LABELS, PAYMENT_CHANNELS, hours, pct
from analytics.buckets import percentile_ms, share_within
from analytics.queries import fetch, service_names
from app.runtime import Runtime, current
from app.timeutil import utcnow

bp = Blueprint("performance", __name__, template_folder="templates")
CACHE_KEY = "rabta:analytics:performance"
CACHE_SECONDS = 300
DAYS = 30
METRICS = ("pay.started", "pay.settled", "notify.sent", "app.closed", "ussd.session", "sms.in")


def _percent(share: float | None) -> float | None:
    return None if share is None else round(100 * share, 1)


def compute() -> dict[str, Any]:
    return compute_for(current())


def compute_for(runtime: Runtime) -> dict[str, Any]:
    end = runtime.today()
    start = end - timedelta(days=DAYS - 1)
    session = runtime.read_db.session()
    try:
        figures = fetch(session, METRICS, start, end, None)
        names = service_names(session)
    finally:
        session.close()
    payments = figures.by("pay.started", "day", "channel")
    ussd_days, texts = figures.by("ussd.session", "day"), figures.by("sms.in", "day")
    zero = figures.total("none")
    volumes = [{"date": day.isoformat(),
                "payments": {channel: payments.get((day, channel), zero).count for channel in PAYMENT_CHANNELS},
                "ussd_sessions": ussd_days.get((day,), zero).count, "sms_received": texts.get((day,), zero).count}
               for day in (start + timedelta(days=offset) for offset in range(DAYS))]
    outcomes = figures.by("ussd.session", "dim")
    completed = outcomes.get(("completed",), zero).count
    resolution = [{"service": code, "name": names.get(code, code), "closed": cell.count,
                   "median_resolution_hours": hours(percentile_ms(cell.hist, 0.5))}
                  for (code,), cell in sorted(figures.by("app.closed", "dim", hist=True).items())]
    return {
        "from": start.isoformat(), "to": end.isoformat(), "generated_at": utcnow().isoformat(timespec="seconds"),
        "volumes": volumes,
        "payments_settled_within_60s_pct": _percent(share_within(figures.total("pay.settled", True).hist, 60_000)),
        "notifications_sent_within_10s_pct": _percent(share_within(figures.total("notify.sent", True).hist, 10_000)),
        "median_resolution_by_service": resolution,
        "ussd_completion_rate_pct": pct(completed, sum(cell.count for cell in outcomes.values())),
    }


def figures() -> dict[str, Any]:
    redis = current().redis
    cached = redis.get(CACHE_KEY)
    if cached:
        return json.loads(cached)  # type: ignore[no-any-return]
    fresh = compute()
    redis.set(CACHE_KEY, json.dumps(fresh, separators=(",", ":")), ex=CACHE_SECONDS)
    return fresh


def _cached(response: Response) -> Response:
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response


@bp.get("/performance.json")
def performance_json() -> Response:
    return _cached(Response(json.dumps(figures(), ensure_ascii=False), mimetype="application/json"))


@bp.get("/performance")
def performance_page() -> Response:
    return _cached(Response(render_template("analytics/performance.html", data=figures(),
                                            labels=CHANNEL_LABELS, channels=PAYMENT_CHANNELS)))
