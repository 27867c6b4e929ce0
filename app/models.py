"""Imports every table so `SQLModel.metadata` is complete (for Alembic and tests)."""

from app.applications.models import ServiceRequest, StatusEvent, TrackingSequence
from app.auth.models import AgencyApiKey, RefreshToken
from app.bills.models import Bill
from app.catalogue.models import Agency, Service
from app.citizens.models import Citizen
from app.db import metadata
from app.identity.models import PendingCnicLink
from app.notifications.models import Notification
from app.providerlog.models import ProviderLogEntry
from payments.models import Payment, PaymentEvent
from sms.models import InboundMessage, OutboundMessage

__all__ = [
    "Agency",
    "AgencyApiKey",
    "Bill",
    "Citizen",
    "InboundMessage",
    "Notification",
    "OutboundMessage",
    "Payment",
    "PaymentEvent",
    "PendingCnicLink",
    "ProviderLogEntry",
    "RefreshToken",
    "Service",
    "ServiceRequest",
    "StatusEvent",
    "TrackingSequence",
    "load_all_models",
    "metadata",
]


def load_all_models() -> None:
    """Every table is imported above; kept so callers can say why they import this module."""
