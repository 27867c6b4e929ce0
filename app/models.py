"""Imports every table so `SQLModel.metadata` is complete (for Alembic and tests)."""

from analytics.models import DailyRollup, Rollup, UssdHop, UssdSession, Watermark
from app.applications.models import ServiceRequest, StatusEvent, TrackingSequence
from app.audit.models import AuditEntry
from app.auth.models import AgencyApiKey, RefreshToken
from app.bills.models import Bill
from app.catalogue.models import Agency, Service
from app.citizens.models import Citizen
from app.db import metadata
from app.identity.models import PendingCnicLink
from app.notifications.models import Notification
from app.officers.models import Officer
from app.providerlog.models import ProviderLogEntry
from payments.models import Payment, PaymentEvent
from sms.models import InboundMessage, OutboundMessage

__all__ = [
    "Agency",
    "AgencyApiKey",
    "AuditEntry",
    "Bill",
    "Citizen",
    "InboundMessage",
    "Notification",
    "Officer",
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
__all__ += ["DailyRollup", "Rollup", "UssdHop", "UssdSession", "Watermark"]  # analytics


def load_all_models() -> None:
    """Every table is imported above; kept so callers can say why they import this module."""
