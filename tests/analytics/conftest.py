"""Signing in to the console, as the analytics pages see it: a loader at `app.extensions`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

import pytest
from flask import Flask
from sqlmodel import Session

from analytics.refresh import refresh
from app.catalogue.models import Agency
from app.officers_scope import OFFICER_LOADER, OfficerScope
from app.runtime import Runtime
from app.timeutil import zone
from tests.analytics.helpers import add_payment
from tests.factories import make_agency, make_bill


@pytest.fixture
def sign_in(app: Flask) -> Callable[..., OfficerScope]:
    def _sign_in(role: str = "officer", agency_id: int | None = None) -> OfficerScope:
        officer = OfficerScope(officer_id=1, email=f"{role}@agency.test", role=role, agency_id=agency_id)
        app.extensions[OFFICER_LOADER] = lambda: officer
        return officer

    yield _sign_in  # type: ignore[misc]
    app.extensions.pop(OFFICER_LOADER, None)


@pytest.fixture
def two_agencies(runtime: Runtime, session: Session) -> tuple[Agency, Agency]:
    """Today: agency A collected 3 payments (PKR 100 each), B one of PKR 7,000; yesterday A collected 1."""
    a, b = make_agency(session, code="AAA"), make_agency(session, code="BBB")
    bill_a, bill_b = make_bill(session, agency=a), make_bill(session, agency=b)
    session.commit()
    noon = datetime.combine(runtime.today(), time(12), zone(runtime.settings.TIMEZONE)).astimezone(UTC)
    for minutes in (0, 1, 2):
        add_payment(session, bill_a, at=noon + timedelta(minutes=minutes), amount=10_000)
    add_payment(session, bill_a, at=noon - timedelta(days=1), amount=10_000, channel="ussd")
    add_payment(session, bill_b, at=noon, amount=700_000, channel="bank", rail="1bill")
    add_payment(session, bill_a, at=noon, status="failed", reason="insufficient_funds")
    session.commit()
    refresh(runtime.db, runtime.settings.TIMEZONE)
    return a, b
