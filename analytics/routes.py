"""The console dashboards (`/console/dashboards/...`): server-rendered, read the roll-ups only (on the
replica when there is one), scoped by `app.officers_scope.current_officer()`."""

from __future__ import annotations

import json
import time
from typing import Any, NamedTuple

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from analytics import cache
from analytics.boards import BOARDS, Board
from analytics.charts import Chart, fmt
from analytics.queries import RANGES, Period, parse_period
from analytics.queries import agencies as list_agencies
from app.officers_scope import OfficerScope, current_officer
from app.runtime import current

bp = Blueprint("dashboards", __name__, url_prefix="/console/dashboards", template_folder="templates",
               static_folder="static", static_url_path="/static")
LOGIN_PATH = "/console/login"
# A board computed for one scope and period is kept in Redis (the page and its chart downloads then agree,
# and eight officers opening it cost one computation); the refresh warms the standard ones (analytics.cache).


def _officer() -> OfficerScope | BaseResponse:
    officer = current_officer()
    if officer is None:
        return redirect(f"{LOGIN_PATH}?next={request.full_path.rstrip('?')}")
    return officer


def _scope(officer: OfficerScope) -> int | None:
    """Officers and supervisors see their agency; an admin sees every agency, or one chosen with ?agency=."""
    if not officer.is_admin:
        return officer.agency_id if officer.agency_id is not None else -1  # no agency: sees nothing
    chosen = request.args.get("agency", "")
    return int(chosen) if chosen.isdigit() else None


def _board(slug: str, officer: OfficerScope) -> tuple[Board, Period, str | None, int | None, str]:
    if slug not in BOARDS:
        abort(404)
    period, problem = parse_period(request.args, current().today())
    agency_id = _scope(officer)
    redis = current().redis
    name = cache.key(slug, agency_id, period)
    cached = cache.read(redis, name)
    if cached is not None:
        return cached[0], period, problem, agency_id, cached[1]
    session = current().read_db.session()
    try:
        board = BOARDS[slug][1](session, period, agency_id)
    finally:
        session.close()
    return board, period, problem, agency_id, cache.store(redis, name, board)


@bp.get("/")
def index() -> Any:
    officer = _officer()
    if not isinstance(officer, OfficerScope):
        return officer
    query = f"?{request.query_string.decode()}" if request.query_string else ""
    return redirect(url_for("dashboards.board", slug="collections") + query)


@bp.get("/<slug>")
def board(slug: str) -> Any:
    officer = _officer()
    if not isinstance(officer, OfficerScope):
        return officer
    shown, period, problem, agency_id, board_digest = _board(slug, officer)
    query = _query(period, agency_id, officer)
    redis, html_key = current().redis, cache.html_key(board_digest, officer.is_admin)
    body = cache.read_html(redis, html_key)
    if body is None:
        body = render_template("analytics/_board_body.html", board=shown, period=period, fmt=fmt, query=query)
        cache.store_html(redis, html_key, body)
    agencies = _agency_choices() if officer.is_admin else []
    return render_template("analytics/dashboard.html", board=shown, period=period, problem=problem,
                           boards=BOARDS, ranges=RANGES, fmt=fmt, officer=officer, agencies=agencies,
                           agency_id=agency_id, query=query, body=Markup(body))


class AgencyChoice(NamedTuple):
    id: int | None
    name_en: str


AGENCIES_KEY = "rabta.analytics.agency_choices"
AGENCIES_SECONDS = 60.0


def _agency_choices() -> list[AgencyChoice]:
    """The admin's agency picker: the catalogue changes rarely, so each process reads it once a minute."""
    held = current_app.extensions.get(AGENCIES_KEY)
    if held is not None and held[0] > time.monotonic():
        return list(held[1])
    session = current().read_db.session()
    try:
        choices = [AgencyChoice(agency.id, agency.name_en) for agency in list_agencies(session)]
    finally:
        session.close()
    current_app.extensions[AGENCIES_KEY] = (time.monotonic() + AGENCIES_SECONDS, choices)
    return choices


def _query(period: Period, agency_id: int | None, officer: OfficerScope) -> dict[str, str]:
    query = period.query()
    if officer.is_admin and agency_id is not None:
        query["agency"] = str(agency_id)
    return query


@bp.get("/<slug>/<chart_id>.<fmt_name>")
def chart_data(slug: str, chart_id: str, fmt_name: str) -> Any:
    officer = _officer()
    if not isinstance(officer, OfficerScope):
        return officer
    if fmt_name not in ("csv", "json"):
        abort(404)
    shown, period, _problem, _agency, _digest = _board(slug, officer)
    chart: Chart | None = next((c for c in shown.charts if c.id == chart_id), None)
    if chart is None:
        abort(404)
    filename = f"{slug}-{chart_id}-{period.start}-{period.end}.{fmt_name}"
    if fmt_name == "csv":
        response = Response(chart.as_csv(), mimetype="text/csv")
    else:
        body = {**chart.as_json(), "from": period.start.isoformat(), "to": period.end.isoformat()}
        response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
