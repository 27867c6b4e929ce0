"""The app for the analytics benchmark: `create_app()` with a signed-in admin, standing in for the console's
sign-in (the dashboards only ask `app.officers_scope.current_officer()`).

`BENCH_DASHBOARD_CACHE=off` makes every request compute its board and the public figures from the roll-ups
(the cache-miss figures); by default the cache works as in production."""

from __future__ import annotations

import os

from analytics import cache, public
from app import create_app
from app.officers_scope import OFFICER_LOADER, OfficerScope

app = create_app()
_ADMIN = OfficerScope(officer_id=0, email="bench@rabta.test", role="admin", agency_id=None)
app.extensions[OFFICER_LOADER] = lambda: _ADMIN

if os.environ.get("BENCH_DASHBOARD_CACHE") == "off":
    cache.read = lambda _redis, _name: None  # type: ignore[assignment]
    cache.read_html = lambda _redis, _name: None  # type: ignore[assignment]
    public.figures = public.compute  # type: ignore[assignment]
