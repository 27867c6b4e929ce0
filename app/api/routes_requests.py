"""The catalogue and a citizen's applications."""

from __future__ import annotations

from flask import Response

from app.api import bp
from app.api.auth import citizen_id
from app.api.framework import json_response, operation
from app.api.pagination import cursor_time, decode_cursor, page
from app.api.schemas.citizen import (
    RequestCreate,
    RequestDetailOut,
    RequestPage,
    RequestsQuery,
    ServicePage,
    ServicesQuery,
)
from app.api.schemas.common import Tracking
from app.api.views import request_detail_out, request_out, service_out
from app.applications.queries import requests_for_citizen
from app.applications.service import Viewer, get_request, submit_request
from app.catalogue.models import Agency, Service
from app.catalogue.service import agency_codes, get_service, list_services
from app.citizens.service import get_citizen
from app.db import preload
from app.errors_http import request_language
from app.runtime import current

TAG = "Services and applications"


@operation(bp, "GET", "/services", summary="The service catalogue (no sign-in needed)", tag=TAG, query=ServicesQuery,
           response=ServicePage)
def get_services(query: ServicesQuery) -> ServicePage:
    runtime = current()
    language = request_language()
    after = decode_cursor(query.cursor, str)
    with runtime.db.reading() as session:
        services = [s for s in list_services(session=session, agency_code=query.agency)
                    if after is None or s.code > after[0]]
        rows, next_cursor = page(services, query.limit, key=lambda s: (s.code,))
        codes = agency_codes(session=session)
        items = [service_out(s, codes.get(s.agency_id, ""), language, runtime.settings.DEFAULT_CURRENCY)
                 for s in rows]
    return ServicePage(items=items, next_cursor=next_cursor)


@operation(bp, "POST", "/requests", summary="Apply for a service", tag=TAG, auth="citizen", body=RequestCreate,
           response=RequestDetailOut, status=201)
def create_request(body: RequestCreate) -> Response:
    """The details are checked against the fields the service requires (see GET /services)."""
    with current().db.transaction() as session:
        citizen = get_citizen(session=session, citizen_id=citizen_id())
        service = get_service(session=session, code=body.service)
        request = submit_request(session=session, citizen=citizen, service=service, details=dict(body.details))
        out = request_detail_out(session, request, request_language())
    return json_response(out, 201, headers={"Location": f"/api/v1/requests/{out.tracking_number}"})


@operation(bp, "GET", "/requests", summary="My applications, newest first", tag=TAG, auth="citizen",
           query=RequestsQuery, response=RequestPage)
def list_requests(query: RequestsQuery) -> RequestPage:
    values = decode_cursor(query.cursor, str, int)
    after = (cursor_time(values[0]), int(values[1])) if values else None
    language = request_language()
    with current().db.reading() as session:
        found = requests_for_citizen(session=session, citizen_id=citizen_id(), status=query.status, after=after,
                                     limit=query.limit + 1)
        rows, next_cursor = page(found, query.limit, key=lambda r: (r.submitted_at.isoformat(), r.id))
        kept = preload(session, Service, (r.service_id for r in rows)) + preload(  # noqa: F841 (kept alive)
            session, Agency, (r.agency_id for r in rows))
        return RequestPage(items=[request_out(session, r, language) for r in rows], next_cursor=next_cursor)


@operation(bp, "GET", "/requests/<tracking>", summary="One of my applications with its history", tag=TAG,
           auth="citizen", path_params={"tracking": Tracking}, response=RequestDetailOut)
def get_my_request(tracking: str) -> RequestDetailOut:
    with current().db.reading() as session:
        request = get_request(session=session, tracking_number=tracking, viewer=Viewer(citizen_id=citizen_id()))
        return request_detail_out(session, request, request_language())
