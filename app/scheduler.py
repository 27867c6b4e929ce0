"""Periodic jobs, released by every worker but enqueued once per period.

Each worker runs `tick()` every few seconds; a Redis `SET NX EX period` per job makes
sure only one of them enqueues a given period's run.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from app import queue
from app.runtime import Runtime

log = logging.getLogger("rabta.scheduler")


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every_seconds: int
    queue_name: str
    func: str  # import path of a job that takes no arguments


PERIODIC_JOBS: list[PeriodicJob] = [
    PeriodicJob("outbox-sweep", 15, queue.NOTIFICATIONS, "app.notifications.jobs.drain_outbox"),
    PeriodicJob("sms-sweep", 30, queue.SMS, "sms.jobs.sweep_outbound"),
    PeriodicJob("sms-buffered", 300, queue.SMS, "sms.jobs.expire_buffered"),
    PeriodicJob("sms-bill-reminders", 3600, queue.NOTIFICATIONS, "sms.jobs.send_bill_reminders"),
    PeriodicJob("payments-poll-pending", 30, queue.PAYMENTS, "payments.jobs.poll_pending"),
    PeriodicJob("payments-expire", 60, queue.PAYMENTS, "payments.jobs.expire_stale"),
    PeriodicJob("payments-reconcile", 900, queue.PAYMENTS, "payments.jobs.reconcile_payments"),
    PeriodicJob("provider-log-flush", 5, queue.DEFAULT, "app.providerlog.jobs.flush_buffer"),
    PeriodicJob("provider-log-purge", 3600, queue.DEFAULT, "app.providerlog.jobs.purge_old_entries"),
    PeriodicJob("analytics-refresh", 300, queue.DEFAULT, "analytics.jobs.refresh_rollups"),
    PeriodicJob("retention-purge", 3600, queue.DEFAULT, "app.retention.purge_expired"),
]


def tick(runtime: Runtime, jobs: list[PeriodicJob] | None = None) -> list[str]:
    """Enqueue every periodic job whose period has come round; return their names."""
    released = []
    for job in jobs if jobs is not None else PERIODIC_JOBS:
        if runtime.redis.set(f"rabta:periodic:{job.name}", "1", nx=True, ex=job.every_seconds):
            runtime.enqueue(job.queue_name, job.func, meta={queue.PERIODIC_META: job.name})
            released.append(job.name)
    return released


def start_ticker(runtime: Runtime, stop: threading.Event, interval: float = 2.0) -> threading.Thread:
    def loop() -> None:
        while not stop.wait(interval):
            try:
                tick(runtime)
            except Exception:  # Redis blips must not kill the ticker
                log.exception("periodic tick failed")

    thread = threading.Thread(target=loop, name="rabta-ticker", daemon=True)
    thread.start()
    return thread
