"""Analytics as `app.bootstrap` plugs it in: the console dashboards, the public performance page and the
`rabta analytics` commands."""

from analytics.cli import analytics_cli
from analytics.public import bp as public_bp
from analytics.routes import bp as dashboards_bp
from app.channels import Channel

CHANNEL = Channel(name="analytics", blueprints=(dashboards_bp, public_bp), commands=(analytics_cli,))
