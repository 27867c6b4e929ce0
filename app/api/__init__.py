"""The mobile app and agency JSON API (`/api/v1`), its OpenAPI document and docs page."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# The route modules attach their views to `bp` on import (they need `bp` defined first).
from app.api import routes_agency, routes_auth, routes_me, routes_money, routes_requests  # noqa: E402, F401
from app.api.web import enforce_rate_limits  # noqa: E402

bp.before_request(enforce_rate_limits)
