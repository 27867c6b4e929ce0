"""Citizens (find by phone or CNIC, masked; revealing asks a reason and is audited), API keys and officers
(supervisor: their agency; admin: every agency), the audit log, and the provider log (admin)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import flash, redirect, request, url_for
from werkzeug.wrappers import Response

from app.audit.service import ACTIONS, AuditFilter, entries, record
from app.auth.agency_keys import create_key, list_keys, revoke_key
from app.catalogue.service import agency_codes
from app.citizens.identity import format_cnic, mask_cnic, mask_msisdn
from app.citizens.service import get_citizen
from app.errors import Forbidden, ValidationFailed
from app.officers.service import create_officer, disable_officer, list_officers
from app.officers_scope import ROLES
from app.providerlog.service import entries as provider_entries
from app.runtime import current
from console.lookups import find_citizen
from console.views_applications import page_number
from console.web import PAGE_SIZE, bp, client_ip, officer, render, requires, t

REASON_LIMIT = 300


@dataclass(frozen=True)
class CitizenCard:
    citizen_id: int
    name: str
    phone: str
    cnic: str
    language: str
    revealed: bool


@bp.get("/citizens")
def citizens() -> tuple[str, int]:
    search = request.args.get("q", "").strip()[:40]
    card = None
    if search:
        with current().db.session() as db_session:
            found = find_citizen(db_session, search, current().settings.DEFAULT_REGION)
            if found is not None:
                card = CitizenCard(found.id or 0, found.name, mask_msisdn(found.msisdn), mask_cnic(found.cnic),
                                   found.language, revealed=False)
    return render("citizens.html", search=search, card=card, searched=bool(search), reason_limit=REASON_LIMIT)


@bp.post("/citizens/<int:citizen_id>/reveal")
def reveal(citizen_id: int) -> tuple[str, int] | Response:
    scope = officer()
    reason = request.form.get("reason", "").strip()
    if not reason or len(reason) > REASON_LIMIT:
        flash(t("console.citizens.reason_required", limit=REASON_LIMIT), "error")
        return redirect(url_for("console.citizens", q=request.form.get("q", "")), 303)
    with current().db.transaction() as db_session:
        found = get_citizen(session=db_session, citizen_id=citizen_id)
        record(session=db_session, actor=scope.email, action="pii.revealed", subject=f"citizen:{citizen_id}",
               agency_id=scope.agency_id, detail=reason, ip=client_ip())
        card = CitizenCard(citizen_id, found.name, found.msisdn, format_cnic(found.cnic) if found.cnic else "",
                           found.language, revealed=True)
    return render("citizens.html", search=request.form.get("q", ""), card=card, searched=True,
                  reason_limit=REASON_LIMIT)


def _agency_code() -> str | None:
    scope = officer()
    if scope.agency_id is None:
        return request.values.get("agency", "") or None
    with current().db.session() as db_session:
        return agency_codes(session=db_session).get(scope.agency_id)


@bp.get("/keys")
@requires("supervisor")
def keys() -> tuple[str, int]:
    with current().db.session() as db_session:
        rows = list_keys(session=db_session, agency_code=_agency_code())
        codes = sorted(agency_codes(session=db_session).values())
    return render("keys.html", rows=rows, codes=codes, shown=None)


@bp.post("/keys")
@requires("supervisor")
def new_key() -> tuple[str, int]:
    scope = officer()
    code = _agency_code()
    if not code:
        raise ValidationFailed(t("console.keys.agency_required"), field_errors={"agency": "required"})
    with current().db.transaction() as db_session:
        issued = create_key(session=db_session, agency_code=code, label=request.form.get("label", "")[:80])
        record(session=db_session, actor=scope.email, action="key.created", subject=issued.key_id,
               agency_id=scope.agency_id, detail=code, ip=client_ip())
    with current().db.session() as db_session:
        rows = list_keys(session=db_session, agency_code=None if scope.is_admin else code)
        codes = sorted(agency_codes(session=db_session).values())
    return render("keys.html", 201, rows=rows, codes=codes, shown=issued)


@bp.post("/keys/<key_id>/revoke")
@requires("supervisor")
def revoke(key_id: str) -> Response:
    scope = officer()
    with current().db.transaction() as db_session:
        key = revoke_key(session=db_session, key_id=key_id, agency_id=scope.agency_id)
        record(session=db_session, actor=scope.email, action="key.revoked", subject=key.key_id,
               agency_id=key.agency_id, ip=client_ip())
    flash(t("console.keys.revoked", key_id=key_id), "info")
    return redirect(url_for("console.keys"), 303)


@bp.get("/officers")
@requires("supervisor")
def officers() -> tuple[str, int]:
    scope = officer()
    with current().db.session() as db_session:
        rows = list_officers(session=db_session, agency_id=scope.agency_id)
        codes = sorted(agency_codes(session=db_session).values())
    roles = ROLES if scope.is_admin else ("officer", "supervisor")
    return render("officers.html", rows=rows, roles=roles, codes=codes, created=None)


@bp.post("/officers")
@requires("supervisor")
def new_officer() -> tuple[str, int]:
    scope = officer()
    role = request.form.get("role", "")
    if role not in ROLES or not scope.at_least(role) or (role == "admin" and not scope.is_admin):
        raise Forbidden(t("console.officers.role_forbidden"))
    code = _agency_code() if role != "admin" else None
    with current().db.transaction() as db_session:
        created = create_officer(session=db_session, email=request.form.get("email", ""), role=role,
                                 agency_code=code)
        record(session=db_session, actor=scope.email, action="officer.created", subject=created.officer.email,
               agency_id=created.officer.agency_id, detail=f"role {role}", ip=client_ip())
    with current().db.session() as db_session:
        rows = list_officers(session=db_session, agency_id=scope.agency_id)
        codes = sorted(agency_codes(session=db_session).values())
    roles = ROLES if scope.is_admin else ("officer", "supervisor")
    return render("officers.html", 201, rows=rows, roles=roles, codes=codes, created=created)


@bp.post("/officers/disable")
@requires("supervisor")
def disable() -> Response:
    scope = officer()
    with current().db.transaction() as db_session:
        found = disable_officer(session=db_session, email=request.form.get("email", ""), agency_id=scope.agency_id)
        record(session=db_session, actor=scope.email, action="officer.disabled", subject=found.email,
               agency_id=found.agency_id, ip=client_ip())
    flash(t("console.officers.disabled", email=found.email), "info")
    return redirect(url_for("console.officers"), 303)


def _date(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def audit_filter() -> AuditFilter:
    args = request.args
    return AuditFilter(agency_id=officer().agency_id, actor=args.get("actor", "")[:254],
                       action=args.get("action", "") if args.get("action") in ACTIONS else "",
                       subject=args.get("subject", "")[:120], since=_date("from"), until=_date("to"))


@bp.get("/audit")
@requires("supervisor")
def audit() -> tuple[str, int]:
    page = page_number()
    with current().db.session() as db_session:
        found = entries(session=db_session, where=audit_filter(), limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render("audit.html", rows=found[:PAGE_SIZE], page=page, has_next=len(found) > PAGE_SIZE,
                  actions=ACTIONS, args=request.args)


@bp.get("/providers")
@requires("admin")
def providers() -> tuple[str, int]:
    errors_only = request.args.get("errors") == "1"
    provider = request.args.get("provider", "")[:32] or None
    with current().db.session() as db_session:
        rows = provider_entries(session=db_session, errors_only=errors_only, provider=provider, limit=200)
    return render("providers.html", rows=rows, errors_only=errors_only, provider=provider or "")
