"""The console's blueprint, who is signed in, and the guards every request passes through.

Sessions are Flask's signed cookie (HttpOnly, SameSite=Lax, Secure in production) holding the officer id
and when they were last seen: 30 idle minutes end it, and the officer is looked up on every request so a
disabled account's live session is refused at once. CSRF is Flask-WTF's, checked on every console POST only
(the API and the webhooks stay CSRF-free).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, abort, flash, g, redirect, render_template, request, url_for
from flask import session as cookie
from flask_wtf.csrf import CSRFError, CSRFProtect

from app.applications.service import Viewer
from app.errors import DomainError, NotFound
from app.messages import has, text
from app.officers.service import active_scope
from app.officers_scope import OFFICER_LOADER, OfficerScope, current_officer
from app.runtime import current

IDLE_SECONDS = 30 * 60
PUBLIC_ENDPOINTS = {"console.login", "console.login_post", "console.totp", "console.totp_post", "console.static"}
CONSOLE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
               "frame-ancestors 'none'; base-uri 'none'")
PAGE_SIZE = 25

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates", static_folder="static")
csrf = CSRFProtect()
F = TypeVar("F", bound=Callable[..., Any])
_SCOPE_KEY, _UNSET = "rabta.console.officer", object()


def load_officer() -> OfficerScope | None:
    """The loader installed at `app.extensions[OFFICER_LOADER]`: the signed-in, enabled, not idle officer."""
    cached = request.environ.get(_SCOPE_KEY, _UNSET)  # per request (g can outlive one)
    if cached is not _UNSET:
        return cached  # type: ignore[no-any-return]
    scope = None
    officer_id, seen = cookie.get("officer_id"), cookie.get("seen", 0)
    if isinstance(officer_id, int) and time.time() - float(seen) <= IDLE_SECONDS:
        with current().db.session() as db_session:
            scope = active_scope(session=db_session, officer_id=officer_id)
    request.environ[_SCOPE_KEY] = scope
    return scope


def officer() -> OfficerScope:
    scope = current_officer()
    if scope is None:
        abort(401)
    return scope


def language() -> str:
    scope = current_officer()
    return scope.language if scope is not None else cookie.get("language", "en")


def t(message_key: str, /, **params: Any) -> str:
    return text(message_key, language(), **params)


def viewer() -> Viewer:
    scope = officer()
    return Viewer(everyone=True) if scope.is_admin else Viewer(agency_id=scope.agency_id)


def client_ip() -> str:
    return request.remote_addr or ""


def requires(role: str) -> Callable[[F], F]:
    """Supervisor and admin pages: an officer below `role` gets 403 (and nothing happens)."""
    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not officer().at_least(role):
                abort(403)
            return view(*args, **kwargs)
        return wrapped  # type: ignore[return-value]
    return decorate


@bp.before_request
def _guard() -> Response | None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        if request.method == "POST":
            csrf.protect()
        return None
    if load_officer() is None:
        had_session = "officer_id" in cookie
        cookie.pop("officer_id", None)
        if had_session:
            flash(t("console.login.expired"), "error")
        target = url_for("console.login") + "?" + urlencode({"next": request.full_path.rstrip("?")})
        return redirect(target, 303)  # type: ignore[return-value]
    if request.method == "POST":
        csrf.protect()
    cookie["seen"] = int(time.time())
    return None


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONSOLE_CSP
    response.headers["Cache-Control"] = "no-store"
    return response


def render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(template, **context), status


@bp.errorhandler(CSRFError)
def _csrf_failed(error: CSRFError) -> tuple[str, int]:
    return render("error.html", 400, title=t("console.error.csrf_title"), message=t("console.error.csrf"))


@bp.errorhandler(NotFound)
@bp.errorhandler(404)
def _not_found(error: Exception) -> tuple[str, int]:
    return render("error.html", 404, title=t("console.error.not_found_title"), message=t("console.error.not_found"))


@bp.errorhandler(403)
def _forbidden(error: Exception) -> tuple[str, int]:
    return render("error.html", 403, title=t("console.error.forbidden_title"), message=t("console.error.forbidden"))


def error_message(error: DomainError) -> str:
    lang = language()
    if lang == "en" or not has(error.message_key):
        return error.detail
    return text(error.message_key, lang)


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError) -> Any:
    """A refused action: say why on the page it came from; nothing was changed (the transaction rolled back)."""
    if request.method == "POST":
        flash(error_message(error), "error")
        return redirect(safe_back(), 303)
    return render("error.html", error.http_status, title=t("console.error.title"), message=error_message(error))


def safe_back(default: str | None = None) -> str:
    back = request.form.get("back", "") or default or ""
    if back.startswith("/console/") and not back.startswith("//") and "\\" not in back:
        return back
    return url_for("console.inbox")


def install(app: Flask) -> None:
    """The console's channel setup: session cookie flags, CSRF (console only), the officer loader."""
    production = app.extensions["rabta"].settings.RABTA_ENV == "production"
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=production, WTF_CSRF_CHECK_DEFAULT=False,
                      WTF_CSRF_SSL_STRICT=production)
    csrf.init_app(app)
    app.extensions[OFFICER_LOADER] = load_officer
    app.before_request(_fresh_request_state)


def _fresh_request_state() -> None:
    """`g` belongs to the app context, which outlives one request when a caller (a test, a CLI command)
    holds one open: what was worked out for an earlier request must not leak into this one."""
    g.pop("csrf_token", None)


@bp.context_processor
def _template_helpers() -> dict[str, Any]:
    return {"t": t, "me": current_officer(), "lang": language()}
