"""The SMS channel (Twilio, Africa's Talking, the console provider), as `app.bootstrap` plugs it in."""

from app.channels import Channel
from app.notifications.service import SMS_CHANNEL
from sms.routes import bp
from sms.service import dispatch_notification
from sms.texts import TEXTS

CHANNEL = Channel(name=SMS_CHANNEL, blueprints=(bp,), texts=TEXTS, dispatcher=dispatch_notification)
