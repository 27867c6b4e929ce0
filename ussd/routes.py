"""HTTP routes of the ussd channel."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("ussd", __name__)
