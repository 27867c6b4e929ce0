"""The USSD channel (Africa's Talking), as `app.bootstrap` plugs it in."""

from app.channels import Channel
from ussd.cli import ussd_cli
from ussd.routes import bp
from ussd.texts import TEXTS

CHANNEL = Channel(name="ussd", blueprints=(bp,), texts=TEXTS, commands=(ussd_cli,))
