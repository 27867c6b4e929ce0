"""What a running process shares, wired once by `app.bootstrap`.

Routes and jobs reach it through `current()`; service functions never do: they get a
session and plain values (or one of these collaborators) as arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from flask import current_app
from redis import Redis
from rq import Retry
from rq.job import Job

from app import queue
from app.bus import MessageBus
from app.db import Database
from app.notifications.service import Dispatchers
from app.settings import Settings
from app.timeutil import local_today

if TYPE_CHECKING:
    from payments.providers import Wallets
    from sms.providers import SmsProviders
    from ussd.gateway import Gateway

EXTENSION_KEY = "rabta"


@dataclass
class Runtime:
    settings: Settings
    db: Database
    redis: Redis
    bus: MessageBus
    dispatchers: Dispatchers  # notification channel -> dispatcher
    wallets: Wallets  # the wallet providers payers may choose from
    sms: SmsProviders  # SMS provider adapters (send, webhooks, delivery reports)
    ussd: Gateway  # the USSD menu engine's shell
    # Read-only: dashboards and exports read here (DATABASE_REPLICA_URL), sparing the primary.
    # Without a replica it is `db` itself.
    replica: Database | None = None

    @property
    def read_db(self) -> Database:
        return self.replica or self.db

    def enqueue(self, queue_name: str, func: Callable[..., Any] | str, *args: Any, job_id: str | None = None,
                retry: Retry | None = None, delay: timedelta | None = None,
                meta: dict[str, Any] | None = None) -> Job:
        return queue.enqueue(self.redis, queue_name, func, *args, job_id=job_id, retry=retry, delay=delay,
                             meta=meta)

    def today(self) -> date:
        """The calendar date where the citizens are (`TIMEZONE`): due dates and prices follow it."""
        return local_today(self.settings.TIMEZONE)


def current() -> Runtime:
    runtime: Runtime = current_app.extensions[EXTENSION_KEY]
    return runtime
