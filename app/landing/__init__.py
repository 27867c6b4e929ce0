"""`GET /`: a small page that points a browser at the docs and the other pages (from `app.pages`)."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from app.channels import Channel
from app.pages import PAGES
from app.runtime import current

LANDING_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
               "frame-ancestors 'none'")
LANGUAGES = ("en", "ur")

bp = Blueprint("landing", __name__, template_folder="templates", static_folder="static",
               static_url_path="/landing/static")


def _language() -> str:
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES) or "en"


@bp.get("/")
def landing() -> Response:
    language = _language()
    html = render_template("landing.html", language=language, pages=PAGES,
                           public_url=current().settings.PUBLIC_BASE_URL)
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = LANDING_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Vary"] = "Accept-Language"
    return response


CHANNEL = Channel(name="landing", blueprints=(bp,))
