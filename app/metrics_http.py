"""`GET /metrics`: every process's metrics summed, plus state read at scrape time.

Protected by `METRICS_TOKEN` (a bearer token) when set; not part of the API, so not
in the OpenAPI document. The state gauges (outbox backlog, RQ queues) are read from
the database and Redis on each scrape, so they are right whichever process serves it.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

from flask import Blueprint, Response, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func
from sqlmodel import col, select

from app import metrics
from app.notifications.models import OUTBOX_PENDING, Notification
from app.queue import ALL_QUEUES, get_queue
from app.runtime import Runtime, current
from app.timeutil import utcnow

log = logging.getLogger("rabta.metrics")

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def scrape() -> Response:
    runtime = current()
    token = runtime.settings.METRICS_TOKEN
    if token and not hmac.compare_digest(request.headers.get("Authorization", "").encode(),
                                         f"Bearer {token}".encode()):
        return Response("metrics need a bearer token\n", status=401, mimetype="text/plain",
                        headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    registry = CollectorRegistry()
    directory = metrics.configured_dir()
    if directory is not None:
        MultiProcessCollector(registry, path=str(directory))
    registry.register(StateCollector(runtime))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


class StateCollector:
    """Backlogs read at scrape time: the outbox and every RQ queue."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[Metric]:
        try:
            yield from self._outbox()
        except Exception as exc:  # a scrape must still answer with what it has
            log.warning("outbox metrics unavailable: %s", type(exc).__name__)
        try:
            yield from self._queues()
        except Exception as exc:
            log.warning("queue metrics unavailable: %s", type(exc).__name__)

    def _outbox(self) -> Iterator[Metric]:
        with self.runtime.db.session() as session:
            count, oldest = session.exec(
                select(func.count(), func.min(col(Notification.created_at)))
                .where(Notification.status == OUTBOX_PENDING)).one()
        yield GaugeMetricFamily("rabta_outbox_pending", "Notifications written but not yet handed to a channel",
                                value=int(count or 0))
        yield GaugeMetricFamily("rabta_outbox_oldest_pending_seconds", "Age of the oldest pending notification",
                                value=_age_seconds(oldest))

    def _queues(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily("rabta_queue_depth", "Jobs waiting in an RQ queue", labels=["queue"])
        failed = GaugeMetricFamily("rabta_queue_failed_jobs", "Jobs in an RQ queue's failed registry",
                                   labels=["queue"])
        scheduled = GaugeMetricFamily("rabta_queue_scheduled_jobs", "Jobs scheduled for later (retries, delays)",
                                      labels=["queue"])
        for name in ALL_QUEUES:
            queue = get_queue(name, self.runtime.redis)
            depth.add_metric([name], queue.count)
            failed.add_metric([name], queue.failed_job_registry.count)
            scheduled.add_metric([name], queue.scheduled_job_registry.count)
        yield from (depth, failed, scheduled)


def _age_seconds(oldest: datetime | None) -> float:
    if oldest is None:
        return 0.0
    if oldest.tzinfo is None:  # an aggregate may come back without the column's UTC type
        oldest = oldest.replace(tzinfo=UTC)
    return max((utcnow() - oldest).total_seconds(), 0.0)
