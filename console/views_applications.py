"""The inbox (the landing page) and one application: its fields, applicant, timeline and the moves the
lifecycle allows. Moving goes through `app.applications.service.transition`, as the agency API does."""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, request, url_for
from sqlmodel import Session
from werkzeug.wrappers import Response

from app.applications.models import ALLOWED_TRANSITIONS, STATUSES, ServiceRequest
from app.applications.queries import ANYONE, ASSIGNED_TO_ME, UNASSIGNED, InboxFilter
from app.applications.queries import inbox as inbox_rows
from app.applications.service import (
    assign,
    get_request,
    history_view,
    is_overdue,
    sla_days_remaining,
    status_view,
    transition,
)
from app.audit.service import record
from app.catalogue.models import Service
from app.catalogue.service import agency_codes, list_services
from app.citizens.identity import format_cnic, mask_cnic, mask_msisdn
from app.citizens.service import get_citizen
from app.errors import StaleStatus, ValidationFailed
from app.officers.service import list_officers
from app.runtime import current
from app.timeutil import utcnow
from console.lookups import citizen_ids_for_search
from console.web import PAGE_SIZE, bp, client_ip, officer, render, requires, safe_back, t, viewer

NOTE_LIMIT = 500


def services_for(db_session: Session, agency_id: int | None) -> list[Service]:
    code = agency_codes(session=db_session).get(agency_id) if agency_id is not None else None
    return list_services(session=db_session, agency_code=code) if agency_id is None or code else []


def inbox_filter(db_session: Session) -> InboxFilter:
    scope = officer()
    args = request.args
    service_ids = {s.code: s.id for s in services_for(db_session, scope.agency_id)}
    assigned = args.get("assigned", ANYONE)
    search = args.get("q", "").strip()
    tracking, citizen_ids = citizen_ids_for_search(db_session, search)
    return InboxFilter(
        agency_id=scope.agency_id, status=args.get("status", "") if args.get("status") in STATUSES else "",
        service_id=service_ids.get(args.get("service", ""), -1) if args.get("service") else None,
        assigned=assigned if assigned in (ANYONE, ASSIGNED_TO_ME, UNASSIGNED) else ANYONE,
        officer_id=scope.officer_id, overdue_only=args.get("overdue") == "1", tracking_number=tracking,
        citizen_ids=citizen_ids)


@dataclass(frozen=True)
class Row:
    request: ServiceRequest
    service: str
    status_label: str
    days_left: int
    overdue: bool
    assignee: str


def page_number() -> int:
    try:
        return max(1, min(int(request.args.get("page", "1")), 10_000))
    except ValueError:
        return 1


@bp.get("/")
def inbox() -> tuple[str, int]:
    scope, now, page = officer(), utcnow(), page_number()
    with current().db.session() as db_session:
        where = inbox_filter(db_session)
        found = inbox_rows(session=db_session, where=where, now=now, limit=PAGE_SIZE + 1,
                           offset=(page - 1) * PAGE_SIZE)
        services = services_for(db_session, scope.agency_id)
        names = {s.id: s.name_in(scope.language) for s in services} if services else {}
        emails = {o.id: o.email for o, _a in list_officers(session=db_session, agency_id=scope.agency_id)}
        rows = [Row(r, names.get(r.service_id, ""), t(f"status.{r.status}"), sla_days_remaining(r, now),
                    is_overdue(r, now),
                    emails.get(r.assigned_officer_id or 0, "")) for r in found[:PAGE_SIZE]]
        officers = [(i, e) for i, e in emails.items()]
    return render("inbox.html", rows=rows, page=page, has_next=len(found) > PAGE_SIZE, services=services,
                  statuses=STATUSES, officers=officers, args=request.args)


@bp.post("/applications/assign")
@requires("supervisor")
def bulk_assign() -> Response:
    scope = officer()
    numbers = [n for n in request.form.getlist("tracking")[:200] if n]
    target = request.form.get("officer", "")
    with current().db.transaction() as db_session:
        emails = {o.id: o.email for o, _a in list_officers(session=db_session, agency_id=scope.agency_id)
                  if o.disabled_at is None}
        officer_id = int(target) if target.isdigit() else None
        if target and officer_id not in emails:
            raise ValidationFailed("Choose one of your agency's officers.", field_errors={"officer": "unknown"})
        count = assign(session=db_session, tracking_numbers=numbers, officer_id=officer_id, viewer=viewer())
        for number in numbers:
            record(session=db_session, actor=scope.email, action="application.assigned", subject=number,
                   agency_id=scope.agency_id, detail=emails.get(officer_id or 0, "unassigned"), ip=client_ip())
    flash(t("console.inbox.assigned_done", count=count), "info")
    return redirect(safe_back(), 303)


@bp.get("/applications/<tracking>")
def application(tracking: str) -> tuple[str, int]:
    scope = officer()
    with current().db.session() as db_session:
        found = get_request(session=db_session, tracking_number=tracking, viewer=viewer())
        view = status_view(session=db_session, request=found, language=scope.language)
        timeline = history_view(session=db_session, request=found, language=scope.language)
        citizen = get_citizen(session=db_session, citizen_id=found.citizen_id)
        applicant = {"name": citizen.name, "phone": mask_msisdn(citizen.msisdn), "cnic": mask_cnic(citizen.cnic)}
        moves = sorted(ALLOWED_TRANSITIONS[found.status])
    return render("application.html", view=view, timeline=timeline, applicant=applicant, moves=moves,
                  days_left=sla_days_remaining(found, utcnow()), note_limit=NOTE_LIMIT, format_cnic=format_cnic)


@bp.post("/applications/<tracking>/transition")
def move_application(tracking: str) -> Response:
    scope = officer()
    to_status, expected = request.form.get("to", ""), request.form.get("expected_status", "")
    note = request.form.get("note", "").strip()
    back = url_for("console.application", tracking=tracking)
    if len(note) > NOTE_LIMIT:
        flash(t("console.application.note_too_long", limit=NOTE_LIMIT), "error")
        return redirect(back, 303)
    try:
        with current().db.transaction() as db_session:
            moved = transition(session=db_session, tracking_number=tracking, to_status=to_status, note=note,
                               actor=scope.email, viewer=viewer(), expected_status=expected or None)
            record(session=db_session, actor=scope.email, action="application.transition",
                   subject=moved.tracking_number, agency_id=moved.agency_id,
                   detail=f"{expected} -> {to_status}", ip=client_ip())
    except StaleStatus as stale:
        current_status = stale.params.get("current_status")
        key = "console.application.already" if current_status == to_status else "console.application.stale"
        flash(t(key, status=t(f"status.{current_status}")), "error")
        return redirect(back, 303)
    flash(t("console.application.moved", status=t(f"status.{to_status}")), "info")
    return redirect(back, 303)
