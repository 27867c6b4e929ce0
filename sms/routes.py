"""HTTP routes of the sms channel."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("sms", __name__)
