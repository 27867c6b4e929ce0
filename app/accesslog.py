"""gunicorn's access log without secrets: `--logger-class app.accesslog.RedactingLogger`.

Africa's Talking calls back with `?token=...` (it cannot sign its callbacks), so an
access log written as is keeps the webhook secret. Every access log Rabta configures
(`rabta dev`, the Procfile) goes through this class: secret query values and
credential headers are replaced by `***`.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

SECRET_QUERY_PARAMETERS = frozenset({"token", "access_token", "refresh_token", "key", "api_key", "apikey",
                                     "password", "secret", "signature", "sig", "otp", "code", "pin"})
SECRET_HEADERS = frozenset({"{authorization}i", "{x-rabta-token}i", "{cookie}i", "{x-twilio-signature}i"})
_PAIR = re.compile(r"(?P<name>[^&=?\s]+)=(?P<value>[^&\s]*)")


def redact_query(text: str) -> str:
    """`a=1&token=s3cret` -> `a=1&token=***`, also inside a request line (`GET /x?token=s3cret HTTP/1.1`)."""
    def hide(match: re.Match[str]) -> str:
        name = match.group("name")
        return f"{name}=***" if name.lower() in SECRET_QUERY_PARAMETERS else match.group(0)

    return _PAIR.sub(hide, text)


class RedactingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for name, value in atoms.items():  # the request line, the query, and environ atoms like {raw_uri}e
            if isinstance(value, str) and "=" in value:
                atoms[name] = redact_query(value)
        for name in SECRET_HEADERS & atoms.keys():
            atoms[name] = "***"
        return atoms
