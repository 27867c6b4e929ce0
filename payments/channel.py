"""The payment rails' HTTP edge (wallet callbacks, the 1Bill biller endpoints) and CLI."""

from app.channels import Channel
from payments.cli import payments_group
from payments.routes import bp
from payments.texts import TEXTS

CHANNEL = Channel(name="payments", blueprints=(bp,), texts=TEXTS, commands=(payments_group,))
