"""Flask's signed-cookie sessions, opened only for a request that brings a session cookie.

Only officers (the console, the phone simulator) have a cookie session; providers' webhooks and the app
API never send one. Flask's own interface builds its signing serializer on every request before it even
looks for the cookie, which was a measurable share of a USSD hop (issue 15). Without a cookie the answer is
the same empty session either way, so this skips straight to it; a request with a cookie, and saving a
session that was written to, behave exactly as Flask's.
"""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class CookieSessionsWhenPresent(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not app.secret_key or request.cookies.get(self.get_cookie_name(app)):
            return super().open_session(app, request)
        return self.session_class()
