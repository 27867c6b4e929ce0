"""The agency console channel: its blueprint, wording, the `rabta officers` commands and its setup
(session cookie flags, CSRF for the console only, the `current_officer()` loader)."""

from app.channels import Channel
from app.officers.cli import officers_group
from console import (  # noqa: F401  (importing a views module registers its routes)
    exports,
    views_applications,
    views_auth,
    views_bills,
    views_identity,
    views_payments,
    views_people,
)
from console.texts import TEXTS
from console.web import bp, install

CHANNEL = Channel(name="console", blueprints=(bp,), texts=TEXTS, commands=(officers_group,), setup=install)
