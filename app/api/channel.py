"""The app and agency JSON API, its docs page, and the agency-key CLI."""

from app.api import bp
from app.api.docs import docs_bp
from app.api.web import install
from app.auth.cli import agency_group
from app.channels import Channel

CHANNEL = Channel(name="api", blueprints=(bp, docs_bp), commands=(agency_group,), setup=install)
