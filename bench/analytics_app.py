"""The app for the analytics benchmark: `create_app()` with a signed-in admin, standing in for the console's
sign-in (the dashboards only ask `app.officers_scope.current_officer()`)."""

from __future__ import annotations

from app import create_app
from app.officers_scope import OFFICER_LOADER, OfficerScope

app = create_app()
_ADMIN = OfficerScope(officer_id=0, email="bench@rabta.test", role="admin", agency_id=None)
app.extensions[OFFICER_LOADER] = lambda: _ADMIN
