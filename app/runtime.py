"""What a running process shares: settings, the database, Redis.

Routes and jobs reach it through `current()`; service functions never do (they get
a session and plain values as arguments).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import current_app
from redis import Redis
from rq import Retry
from rq.job import Job

from app import queue
from app.db import Database
from app.settings import Settings

EXTENSION_KEY = "rabta"


@dataclass
class Runtime:
    settings: Settings
    db: Database
    redis: Redis
    extras: dict[str, Any] = field(default_factory=dict)
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


def current() -> Runtime:
    runtime: Runtime = current_app.extensions[EXTENSION_KEY]
    return runtime
