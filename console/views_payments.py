"""Payments (filters, event timeline) and the cases to settle: refunds due (a supervisor approves,
`payments.refunds.approve_refund`) and reconciliation mismatches (resolved with a note)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import flash, redirect, request, url_for
from werkzeug.wrappers import Response

from app.audit.service import record
from app.runtime import current
from console.views_applications import page_number
from console.web import PAGE_SIZE, bp, client_ip, officer, render, requires, t
from payments.models import CHANNELS, PAYMENT_STATUSES, RAILS
from payments.refunds import PaymentFilter, agency_payment, approve_refund, events_of, payments, resolve_flag
from payments.service import payment_view

NOTE_LIMIT = 500


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def payment_filter(**extra: bool) -> PaymentFilter:
    args = request.args
    since, until = _day("from"), _day("to")
    return PaymentFilter(
        agency_id=officer().agency_id,
        status=args.get("status", "") if args.get("status") in PAYMENT_STATUSES else "",
        rail=args.get("rail", "") if args.get("rail") in RAILS else "",
        channel=args.get("channel", "") if args.get("channel") in CHANNELS else "",
        since=datetime.combine(since, time.min) if since else None,
        until=datetime.combine(until + timedelta(days=1), time.min) if until else None, **extra)


@bp.get("/payments")
def payment_list() -> tuple[str, int]:
    page, scope = page_number(), officer()
    with current().db.session() as db_session:
        found = payments(session=db_session, where=payment_filter(), limit=PAGE_SIZE + 1,
                         offset=(page - 1) * PAGE_SIZE)
        rows = [payment_view(session=db_session, payment=p, language=scope.language) for p, _b in found[:PAGE_SIZE]]
    return render("payments.html", rows=rows, page=page, has_next=len(found) > PAGE_SIZE,
                  statuses=PAYMENT_STATUSES, rails=RAILS, channels=CHANNELS, args=request.args)


@bp.get("/payments/<reference>")
def payment(reference: str) -> tuple[str, int]:
    scope = officer()
    with current().db.session() as db_session:
        found = agency_payment(session=db_session, reference=reference, agency_id=scope.agency_id)
        view = payment_view(session=db_session, payment=found, language=scope.language)
        events = events_of(session=db_session, payment=found)
        case = {"refund_due": found.refund_due, "approved_at": found.refund_approved_at,
                "approved_by": found.refund_approved_by, "flag": found.flag}
    return render("payment.html", view=view, events=events, case=case, note_limit=NOTE_LIMIT)


@bp.get("/cases")
def cases() -> tuple[str, int]:
    scope = officer()
    with current().db.session() as db_session:
        refunds = payments(session=db_session, where=PaymentFilter(agency_id=scope.agency_id, refund_due=True),
                           limit=200)
        flagged = payments(session=db_session, where=PaymentFilter(agency_id=scope.agency_id, flagged=True),
                           limit=200)
        refund_rows = [(payment_view(session=db_session, payment=p, language=scope.language), p.refund_approved_at)
                       for p, _b in refunds]
        flag_rows = [(payment_view(session=db_session, payment=p, language=scope.language), p.flag)
                     for p, _b in flagged]
    return render("cases.html", refunds=refund_rows, flagged=flag_rows, note_limit=NOTE_LIMIT)


@bp.post("/payments/<reference>/refund")
@requires("supervisor")
def approve(reference: str) -> Response:
    scope = officer()
    with current().db.transaction() as db_session:
        before = agency_payment(session=db_session, reference=reference, agency_id=scope.agency_id)
        already = before.refund_approved_at is not None
        moved = approve_refund(session=db_session, reference=reference, agency_id=scope.agency_id,
                               approved_by=scope.email)
        if not already:
            record(session=db_session, actor=scope.email, action="refund.approved", subject=moved.reference,
                   agency_id=scope.agency_id, detail=f"{moved.amount} {moved.currency}", ip=client_ip())
    flash(t("console.cases.already_approved" if already else "console.cases.approved"), "info")
    return redirect(url_for("console.payment", reference=moved.reference), 303)


@bp.post("/payments/<reference>/resolve")
@requires("supervisor")
def resolve(reference: str) -> Response:
    scope = officer()
    note = request.form.get("note", "").strip()
    if not note or len(note) > NOTE_LIMIT:
        flash(t("console.cases.note_required", limit=NOTE_LIMIT), "error")
        return redirect(url_for("console.payment", reference=reference), 303)
    with current().db.transaction() as db_session:
        moved = resolve_flag(session=db_session, reference=reference, agency_id=scope.agency_id, note=note,
                             resolved_by=scope.email)
        record(session=db_session, actor=scope.email, action="payment.case_resolved", subject=moved.reference,
               agency_id=scope.agency_id, detail=note, ip=client_ip())
    flash(t("console.cases.resolved"), "info")
    return redirect(url_for("console.payment", reference=moved.reference), 303)
