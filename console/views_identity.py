"""CNIC links held for an officer (the identity port could not confirm the number's owner): an admin sees the
number and CNIC masked, and approves (proof seen at a counter) or rejects. The decision and the citizen's SMS
are `app.identity.service`'s; the console only records who decided, in the audit log.

Admins only: a CNIC is not an agency's, so no agency's officers decide who owns one."""

from __future__ import annotations

from flask import flash, redirect, url_for
from werkzeug.wrappers import Response

from app.audit.service import record
from app.citizens.identity import mask_cnic, mask_msisdn
from app.identity.service import approve_pending_link, pending_links_with_numbers, reject_pending_link
from app.runtime import current
from console.web import bp, client_ip, officer, render, requires, t


@bp.get("/identity")
@requires("admin")
def identity_links() -> tuple[str, int]:
    with current().db.session() as db_session:
        rows = [{"id": link.id, "msisdn": mask_msisdn(msisdn), "cnic": mask_cnic(link.cnic), "answer": link.answer,
                 "created_at": link.created_at}
                for link, msisdn in pending_links_with_numbers(session=db_session)]
    return render("identity.html", rows=rows)


@bp.post("/identity/<int:link_id>/approve")
@requires("admin")
def approve_link(link_id: int) -> Response:
    return _decide(link_id, approve=True)


@bp.post("/identity/<int:link_id>/reject")
@requires("admin")
def reject_link(link_id: int) -> Response:
    return _decide(link_id, approve=False)


def _decide(link_id: int, *, approve: bool) -> Response:
    scope = officer()
    with current().db.transaction() as db_session:
        if approve:
            approve_pending_link(session=db_session, link_id=link_id, decided_by=scope.email)
        else:
            reject_pending_link(session=db_session, link_id=link_id, decided_by=scope.email)
        record(session=db_session, actor=scope.email, action="cnic_link.approved" if approve else "cnic_link.rejected",
               subject=f"pending-link:{link_id}", ip=client_ip())
    flash(t("console.identity.approved" if approve else "console.identity.rejected"), "info")
    return redirect(url_for("console.identity_links"), 303)
