"""Prometheus metrics: one small named function per thing the code reports.

Channels and services call these one-liners (`observe_ussd_hop(screen, seconds)`, ...);
nothing else touches prometheus_client. Every process of a host (gunicorn workers,
RQ workers) writes to one multiprocess directory (`PROMETHEUS_MULTIPROC_DIR`,
default `instance/metrics`), and `GET /metrics` sums them, so a request counted on
any worker shows once in the total. Values that are state rather than events (outbox
backlog, queue depths) are read at scrape time by `app.metrics_http`.
Label values are bounded: screens, providers, statuses, never numbers or ids.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from prometheus_client import Counter, Histogram, values

log = logging.getLogger("rabta.metrics")

# USSD budget: AT allows 15 s per hop; we aim well under 1 s.
FAST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
SLOW_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 900, 1800, 3600, 7200)

HTTP_DURATION = Histogram("rabta_http_request_duration_seconds", "HTTP requests by endpoint and status",
                          ["endpoint", "method", "status"], buckets=FAST_BUCKETS)
USSD_HOP = Histogram("rabta_ussd_hop_seconds", "USSD hops by the screen they ended on", ["screen"],
                     buckets=FAST_BUCKETS)
USSD_SESSIONS = Counter("rabta_ussd_sessions", "USSD sessions ended, by AT's final status", ["outcome"])
SMS_SENT = Counter("rabta_sms_sent", "Outbound SMS handed to a provider", ["provider", "status"])
SMS_SEND_DURATION = Histogram("rabta_sms_send_seconds", "Provider API call per outbound SMS", ["provider"],
                              buckets=FAST_BUCKETS)
SMS_DELIVERY = Histogram("rabta_sms_delivery_seconds", "From sent to delivered to the handset", ["provider"],
                         buckets=SLOW_BUCKETS)
SMS_REPORTS = Counter("rabta_sms_delivery_reports", "Delivery reports applied", ["provider", "status"])
PAYMENTS = Counter("rabta_payments", "Payments by rail, channel and the status they reached",
                   ["rail", "channel", "status"])
PAYMENT_SETTLE = Histogram("rabta_payment_settle_seconds", "From payment start to money booked", ["rail"],
                           buckets=SLOW_BUCKETS)
WEBHOOK_REFUSED = Counter("rabta_webhook_refused", "Provider webhooks refused (forged, bad token, ...)",
                          ["source", "reason"])
RATE_LIMITED = Counter("rabta_rate_limited", "Requests refused by a rate limit", ["scope"])
IDEMPOTENCY = Counter("rabta_idempotency", "Idempotency-Key repeats", ["outcome"])
JOBS = Counter("rabta_jobs", "RQ jobs run by our workers", ["queue", "status"])

USSD_OUTCOMES = frozenset({"success", "incomplete", "failed"})
_configured_dir: Path | None = None


def configure(directory: Path) -> Path:
    """Switch this process to multiprocess mode in `directory` (once per process: metric values are bound
    to their file when first used)."""
    global _configured_dir
    if _configured_dir is not None:
        return _configured_dir
    directory.mkdir(parents=True, exist_ok=True)
    # prometheus_client takes the directory only from the environment; this is where it learns it.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    values.ValueClass = values.MultiProcessValue()
    _configured_dir = directory
    return directory


def configured_dir() -> Path | None:
    return _configured_dir


def remove_dead_process_files(directory: Path) -> int:
    """At a web server's start: drop the files of processes that are gone (a restart resets counters, which
    Prometheus expects), keeping those of live processes, e.g. a worker on the same host."""
    removed = 0
    for path in directory.glob("*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# ---- what the code reports ---------------------------------------------------------------------------------

def observe_http(endpoint: str, method: str, status: int, seconds: float) -> None:
    HTTP_DURATION.labels(endpoint, method, str(status)).observe(seconds)


def observe_ussd_hop(screen: str, seconds: float) -> None:
    USSD_HOP.labels(screen).observe(seconds)


def count_ussd_session(outcome: str) -> None:
    outcome = outcome.lower()
    USSD_SESSIONS.labels(outcome if outcome in USSD_OUTCOMES else "other").inc()


def observe_sms_send(provider: str, status: str, seconds: float) -> None:
    SMS_SENT.labels(provider, status).inc()
    SMS_SEND_DURATION.labels(provider).observe(seconds)


def count_delivery_report(provider: str, status: str) -> None:
    SMS_REPORTS.labels(provider, status).inc()


def observe_sms_delivery(provider: str, seconds: float) -> None:
    SMS_DELIVERY.labels(provider).observe(max(seconds, 0.0))


def count_payment(rail: str, channel: str, status: str) -> None:
    PAYMENTS.labels(rail, channel, status).inc()


def payment_settled(rail: str, channel: str, seconds_since_start: float) -> None:
    PAYMENTS.labels(rail, channel, "succeeded").inc()
    PAYMENT_SETTLE.labels(rail).observe(max(seconds_since_start, 0.0))


def count_payments(events: Sequence[Any]) -> None:
    """Bus handler for `payments.settlement.PaymentMoved`: counted once the change is committed."""
    for event in events:
        if event.settle_seconds is not None:
            payment_settled(event.rail, event.channel, event.settle_seconds)
        else:
            count_payment(event.rail, event.channel, event.status)


def webhook_refused(source: str, reason: str) -> None:
    WEBHOOK_REFUSED.labels(source, reason).inc()


def count_rate_limited(scope: str) -> None:
    RATE_LIMITED.labels(scope).inc()


def count_idempotency(outcome: str) -> None:
    IDEMPOTENCY.labels(outcome).inc()


def count_job(queue: str, status: str) -> None:
    JOBS.labels(queue, status).inc()
