"""The RQ worker Rabta runs: every queue, JSON jobs, no fork per job.

Jobs run in the worker process itself (SimpleWorker) so they share the app context,
the connection pool and the embedded Redis; a crash is recovered by RQ's
abandoned-job handling plus our idempotent jobs and reconciliation.

Each job runs under the request id it was enqueued with (so its log lines, and the
jobs it enqueues, carry the id of the request that caused it) and leaves one log
line; RQ's own per-job lines are turned down (`app.logs`). A periodic sweep that
found nothing to do logs at DEBUG, so an idle worker is quiet.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

import redis
from rq import SimpleWorker
from rq.executions import Execution
from rq.job import Job
from rq.queue import Queue
from rq.serializers import JSONSerializer
from sqlalchemy.orm import configure_mappers

from app import metrics, request_id
from app.queue import ALL_QUEUES, PERIODIC_META, REQUEST_ID_META, get_queue
from app.runtime import Runtime

log = logging.getLogger("rabta.worker")


class RabtaWorker(SimpleWorker):
    def perform_job(self, job: Job, queue: Queue, execution: Execution) -> bool:
        meta = job.meta or {}
        with request_id.bound(meta.get(REQUEST_ID_META) or request_id.new()):
            started = time.perf_counter()
            succeeded = super().perform_job(job, queue, execution)
            _log_job(job, queue.name, succeeded, time.perf_counter() - started, meta.get(PERIODIC_META))
        metrics.count_job(queue.name, "succeeded" if succeeded else "failed")
        return succeeded

    def register_death(self) -> None:
        """Stopping must not end in a traceback when Redis has just failed over under us: the registration
        expires by itself and RQ cleans up after dead workers."""
        try:
            super().register_death()
        except redis.RedisError as exc:
            log.warning("worker %s stopped without deregistering: %s", self.name, exc)


def _log_job(job: Job, queue_name: str, succeeded: bool, seconds: float, periodic: str | None) -> None:
    result: Any = getattr(job, "_result", None) if succeeded else None
    idle = periodic is not None and succeeded and not _did_something(result)
    level = logging.DEBUG if idle else logging.INFO if succeeded else logging.WARNING
    log.log(level, "job %s %s in %d ms%s", job.func_name, "done" if succeeded else "failed", round(seconds * 1000),
            f": {result}" if result and isinstance(result, int | str | dict) else "",
            extra={"queue": queue_name, "job_id": job.id, "periodic": periodic})


def _did_something(result: Any) -> bool:
    """Jobs report counts: 0, {} and {"expired": 0} all mean a sweep found nothing."""
    if isinstance(result, dict):
        return any(_did_something(value) for value in result.values())
    return bool(result)


def worker_queue_names(requested: Iterable[str] | None = None) -> list[str]:
    names = list(requested) if requested else list(ALL_QUEUES)
    unknown = [n for n in names if n not in ALL_QUEUES]
    if unknown:
        raise ValueError(f"unknown queues: {', '.join(unknown)}")
    return names


def warm_up(runtime: Runtime) -> None:
    """What the first job would otherwise pay for, paid before the worker takes one: SQLAlchemy's mapper
    configuration and the SMS providers' SDK clients (their imports alone are half a second)."""
    configure_mappers()
    runtime.sms.warm_up()


def build_worker(runtime: Runtime, requested: Iterable[str] | None = None) -> RabtaWorker:
    # A dedicated connection without a read timeout: the worker blocks on BLPOP.
    connection = redis.Redis(connection_pool=runtime.redis.connection_pool)
    queues = [get_queue(name, connection) for name in worker_queue_names(requested)]
    return RabtaWorker(queues, connection=connection, serializer=JSONSerializer)
