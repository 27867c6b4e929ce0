"""Named queues and the one enqueue helper.

Jobs are importable functions that take ids (JSON-serialised), are idempotent (RQ
delivers at least once) and open their own DB session.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from redis import Redis
from rq import Queue, Retry
from rq.job import Job
from rq.serializers import JSONSerializer

from app import request_id

# Ordered by urgency: a worker serves earlier queues first.
PAYMENTS = "payments"
USSD = "ussd"
SMS = "sms"
NOTIFICATIONS = "notifications"
DEFAULT = "default"
ALL_QUEUES: tuple[str, ...] = (PAYMENTS, USSD, SMS, NOTIFICATIONS, DEFAULT)

JOB_TIMEOUT_SECONDS = 120
# Job meta keys: the request that caused the job (its logs carry the same id), and the periodic job's name.
REQUEST_ID_META = "request_id"
PERIODIC_META = "periodic"
RESULT_TTL_SECONDS = 3600
FAILURE_TTL_SECONDS = 7 * 24 * 3600


def get_queue(name: str, connection: Redis) -> Queue:
    if name not in ALL_QUEUES:
        raise ValueError(f"unknown queue {name!r}; add it to app.queue.ALL_QUEUES")
    return Queue(name, connection=connection, serializer=JSONSerializer)


def enqueue(
    connection: Redis, queue_name: str, func: Any, *args: Any,
    job_id: str | None = None, retry: Retry | None = None, delay: timedelta | None = None,
    timeout: int = JOB_TIMEOUT_SECONDS, meta: dict[str, Any] | None = None,
) -> Job:
    """Enqueue `func(*args)` on `queue_name`; with `delay`, the worker's scheduler releases it later.
    The current request id (of the request or job enqueuing it) travels in the job's meta."""
    queue = get_queue(queue_name, connection)
    options: dict[str, Any] = {
        "job_id": job_id, "retry": retry, "job_timeout": timeout,
        "result_ttl": RESULT_TTL_SECONDS, "failure_ttl": FAILURE_TTL_SECONDS, "meta": _meta(meta),
    }
    if delay is not None and delay.total_seconds() > 0:
        return queue.enqueue_in(delay, func, *args, **options)
    # Our own pipeline: RQ would otherwise register the queue in a round trip of its own before the job's.
    with connection.pipeline() as pipe:
        job = queue.enqueue(func, *args, pipeline=pipe, **options)
        pipe.execute()
    return job


def enqueue_many(connection: Redis, queue_name: str, func: Any, args_list: Iterable[tuple[Any, ...]],
                 timeout: int = JOB_TIMEOUT_SECONDS) -> list[Job]:
    """Enqueue `func(*args)` once per `args` in `args_list` in one Redis round trip (a pipeline), each
    job as `enqueue` would make it."""
    queue = get_queue(queue_name, connection)
    datas = [Queue.prepare_data(func, args=args, timeout=timeout, result_ttl=RESULT_TTL_SECONDS,
                                failure_ttl=FAILURE_TTL_SECONDS, meta=_meta(None)) for args in args_list]
    return queue.enqueue_many(datas) if datas else []


def _meta(extra: dict[str, Any] | None) -> dict[str, Any]:
    return {REQUEST_ID_META: request_id.current(), **(extra or {})}
