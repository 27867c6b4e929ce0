"""Turning what an officer types in a search box into what the domain looks up (never a query here:
citizens are found through `app.citizens.service`, whatever way CNICs are stored at rest)."""

from __future__ import annotations

from sqlmodel import Session

from app.applications.tracking import normalise_tracking_number
from app.citizens.models import Citizen
from app.citizens.service import find_by_cnic, find_by_msisdn
from app.errors import ValidationFailed


def find_citizen(db_session: Session, search: str, region: str = "PK") -> Citizen | None:
    """Exact match on a mobile number or a CNIC."""
    text = search.strip()
    if not text:
        return None
    try:
        found = find_by_msisdn(session=db_session, msisdn=text, region=region)
        if found is not None:
            return found
    except ValidationFailed:
        pass
    try:
        return find_by_cnic(session=db_session, cnic=text)
    except ValidationFailed:
        return None


def citizen_ids_for_search(db_session: Session, search: str) -> tuple[str, tuple[int, ...] | None]:
    """(tracking number, None) for a tracking number; ("", ids) for a phone or CNIC (empty: nobody); ("", None)
    when there is no search."""
    text = search.strip()
    if not text:
        return "", None
    try:
        return normalise_tracking_number(text), None
    except ValidationFailed:
        pass
    citizen = find_citizen(db_session, text)
    return "", (citizen.id,) if citizen is not None and citizen.id is not None else ()
