"""Agencies and the services they offer."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from app.catalogue.models import Agency, Service
from app.errors import AgencyNotFound, ServiceNotFound


def get_agency(*, session: Session, code: str) -> Agency:
    agency = session.exec(select(Agency).where(Agency.code == code.upper())).first()
    if agency is None:
        raise AgencyNotFound(f"No agency with code {code}.")
    return agency


def list_agencies(*, session: Session) -> list[Agency]:
    return list(session.exec(select(Agency).order_by(Agency.code)))  # type: ignore[arg-type]


def get_service(*, session: Session, code: str) -> Service:
    service = session.exec(select(Service).where(Service.code == code.upper())).first()
    if service is None:
        raise ServiceNotFound(f"No service with code {code}.")
    return service


def list_services(*, session: Session, agency_code: str | None = None) -> list[Service]:
    query = select(Service).where(Service.active == True)  # noqa: E712
    if agency_code:
        query = query.where(Service.agency_id == get_agency(session=session, code=agency_code).id)
    return list(session.exec(query.order_by(Service.code)))  # type: ignore[arg-type]


def upsert_agency(*, session: Session, code: str, **names: str) -> Agency:
    agency = session.exec(select(Agency).where(Agency.code == code)).first() or Agency(code=code, name_en=code)
    for key, value in names.items():
        setattr(agency, key, value)
    session.add(agency)
    session.flush()
    return agency


def upsert_service(*, session: Session, agency: Agency, code: str, **fields: Any) -> Service:
    service = session.exec(select(Service).where(Service.code == code)).first()
    if service is None:
        service = Service(code=code, agency_id=agency.id or 0, name_en=code)
    service.agency_id = agency.id or 0
    for key, value in fields.items():
        setattr(service, key, value)
    session.add(service)
    session.flush()
    return service


def agency_codes(*, session: Session) -> dict[int, str]:
    """Agency id -> code, for lists that show each row's agency (a handful of rows, read once)."""
    return {agency.id or 0: agency.code for agency in list_agencies(session=session)}
