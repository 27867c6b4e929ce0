"""Sign in (password, then TOTP when the account has one; required in production), sign out, language."""

from __future__ import annotations

import time

from flask import flash, redirect, request, url_for
from flask import session as cookie
from werkzeug.wrappers import Response

from app.audit.service import record
from app.officers.service import (
    SecondFactorFailed,
    authenticate,
    enrol_totp,
    get_officer,
    set_language,
    start_totp_enrolment,
    totp_uri,
    verify_totp,
)
from app.runtime import current
from console.web import bp, client_ip, officer, render, t


def _next() -> str:
    target = request.values.get("next", "")
    if target.startswith("/console/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("console.inbox")


@bp.get("/login")
def login() -> tuple[str, int]:
    return render("login.html", next=_next())


@bp.post("/login")
def login_post() -> Response | tuple[str, int]:
    email, password = request.form.get("email", "")[:254], request.form.get("password", "")[:1024]
    runtime = current()
    with runtime.db.transaction() as db_session:  # commits the attempt counter and the audit entry either way
        found = authenticate(session=db_session, email=email, password=password)
        if found is None:
            record(session=db_session, actor=email.strip().lower(), action="sign_in.failed", ip=client_ip())
        officer_id, has_totp = (found.id or 0, bool(found.totp_secret)) if found else (0, False)
    if found is None:
        return render("login.html", 401, next=_next(), error=t("console.login.failed"), email=email)
    cookie.clear()
    if has_totp or runtime.settings.RABTA_ENV == "production":
        cookie["pending_officer"], cookie["pending_at"] = officer_id, int(time.time())
        if not has_totp:
            cookie["totp_setup"] = start_totp_enrolment()
        return redirect(url_for("console.totp", next=_next()), 303)
    return _signed_in(officer_id)


def _signed_in(officer_id: int) -> Response:
    cookie.clear()
    cookie["officer_id"], cookie["seen"] = officer_id, int(time.time())
    with current().db.transaction() as db_session:
        found = get_officer(session=db_session, officer_id=officer_id)
        cookie["language"] = found.language
        record(session=db_session, actor=found.email, action="sign_in", agency_id=found.agency_id, ip=client_ip())
    return redirect(_next(), 303)


def _pending() -> int | None:
    officer_id, started = cookie.get("pending_officer"), cookie.get("pending_at", 0)
    if not isinstance(officer_id, int) or time.time() - float(started) > 300:
        return None
    return officer_id


@bp.get("/login/totp")
def totp() -> Response | tuple[str, int]:
    officer_id = _pending()
    if officer_id is None:
        return redirect(url_for("console.login"), 303)
    uri, secret = "", cookie.get("totp_setup")
    if secret:
        with current().db.session() as db_session:
            uri = totp_uri(get_officer(session=db_session, officer_id=officer_id), secret)
    return render("totp.html", next=_next(), secret=secret, uri=uri)


@bp.post("/login/totp")
def totp_post() -> Response | tuple[str, int]:
    officer_id = _pending()
    if officer_id is None:
        return redirect(url_for("console.login"), 303)
    code, secret = request.form.get("code", "")[:12], cookie.get("totp_setup")
    try:
        with current().db.transaction() as db_session:
            if secret:
                enrol_totp(session=db_session, officer_id=officer_id, secret=secret, code=code)
            else:
                verify_totp(get_officer(session=db_session, officer_id=officer_id), code)
    except SecondFactorFailed:
        with current().db.transaction() as db_session:
            found = get_officer(session=db_session, officer_id=officer_id)
            record(session=db_session, actor=found.email, action="sign_in.failed", agency_id=found.agency_id,
                   detail="second factor", ip=client_ip())
        return render("totp.html", 401, next=_next(), secret=secret, uri="", error=t("console.login.totp_failed"))
    return _signed_in(officer_id)


@bp.post("/logout")
def logout() -> Response:
    cookie.clear()
    flash(t("console.login.signed_out"), "info")
    return redirect(url_for("console.login"), 303)


@bp.post("/language")
def change_language() -> Response:
    with current().db.transaction() as db_session:
        set_language(session=db_session, officer_id=officer().officer_id, language=request.form.get("language", ""))
    return redirect(_back(), 303)


def _back() -> str:
    from console.web import safe_back

    return safe_back()
