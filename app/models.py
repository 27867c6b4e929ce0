"""Imports every table so `SQLModel.metadata` is complete (for Alembic and tests)."""

from app.applications.models import ServiceRequest, StatusEvent, TrackingSequence
from app.bills.models import Bill
from app.catalogue.models import Agency, Service
from app.citizens.models import Citizen
from app.db import metadata
from app.notifications.models import Notification

# Channel packages register their tables by being imported here.
MODEL_MODULES = ("payments.models", "ussd.models", "sms.models", "app.api.models", "app.providerlog.models")

__all__ = ["Agency", "Bill", "Citizen", "Notification", "Service", "ServiceRequest", "StatusEvent",
           "TrackingSequence", "load_all_models", "metadata"]


def load_all_models() -> None:
    import importlib
    import importlib.util

    for name in MODEL_MODULES:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
