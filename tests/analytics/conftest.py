"""Signing in to the console, as the analytics pages see it: a loader at `app.extensions`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from app.officers_scope import OFFICER_LOADER, OfficerScope


@pytest.fixture
def sign_in(app: Flask) -> Callable[..., OfficerScope]:
    def _sign_in(role: str = "officer", agency_id: int | None = None) -> OfficerScope:
        officer = OfficerScope(officer_id=1, email=f"{role}@agency.test", role=role, agency_id=agency_id)
        app.extensions[OFFICER_LOADER] = lambda: officer
        return officer

    yield _sign_in  # type: ignore[misc]
    app.extensions.pop(OFFICER_LOADER, None)
