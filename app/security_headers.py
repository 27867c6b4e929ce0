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


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Content-Security-Policy", PAGE_CSP)
    if current().settings.PUBLIC_BASE_URL.startswith("https://"):
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def install(app: Flask) -> None:
    """Register before the blueprints: Flask runs app-level after_request hooks last-registered first,
    so this one runs after theirs and only fills gaps."""
    app.after_request(add_security_headers)
