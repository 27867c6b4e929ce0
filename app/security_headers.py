"""Security headers on every response, set in one place for the whole app.

Blueprints with stricter needs (the JSON API's `default-src 'none'`, the docs page)
set their own Content-Security-Policy first; this fills in whatever is still missing.
"""

from __future__ import annotations

from flask import Flask, Response

from app.runtime import current

# Server-rendered pages: our own scripts, styles and images only; forms post back to us.
PAGE_CSP = ("default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; "
            "base-uri 'none'; form-action 'self'")
HSTS = "max-age=31536000; includeSubDomains"


DEFAULTS = (("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"), ("Referrer-Policy", "no-referrer"),
            ("Cross-Origin-Opener-Policy", "same-origin"), ("Content-Security-Policy", PAGE_CSP))


def add_security_headers(response: Response) -> Response:
    # One pass over the headers already set: werkzeug's `setdefault` looks each name up by raising and
    # catching a KeyError when it is absent, which on every response of every request added up.
    headers = response.headers
    present = {name.lower() for name, _value in headers}
    for name, value in DEFAULTS:
        if name.lower() not in present:
            headers.add(name, value)
    if "strict-transport-security" not in present and current().settings.PUBLIC_BASE_URL.startswith("https://"):
        headers.add("Strict-Transport-Security", HSTS)
    return response


def install(app: Flask) -> None:
    """Register before the blueprints: Flask runs app-level after_request hooks last-registered first,
    so this one runs after theirs and only fills gaps."""
    app.after_request(add_security_headers)
