"""The RQ worker Rabta runs: every queue, JSON jobs, no fork per job.

Jobs run in the worker process itself (SimpleWorker) so they share the app context,
the connection pool and the embedded Redis; a crash is recovered by RQ's
abandoned-job handling plus our idempotent jobs and reconciliation.

Each job runs under the request id it was enqueued with (so its log lines, and the
jobs it enqueues, carry the id of the request that caused it) and leaves one log
line; RQ's own per-job lines are turned down (`app.logs`). A periodic sweep that
found nothing to do logs at DEBUG, so an idle worker is quiet.

RQ 3 makes about twenty Redis round trips per job, and half of them repeat what the worker said a
moment before: a registration heartbeat (three round trips) before and after every dequeue and after
every job, a suspension check and an unchanged state. Under a backlog that chatter costs as much CPU
as the jobs (issue 15), so the worker says each at most every few seconds, a heartbeat in one round
trip; see `RabtaWorker`.
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

# A registration heartbeat renews the worker's key for `worker_ttl` + 60 s (480 s by default): renewing it
# again within seconds of the last renewal tells RQ and the dashboards nothing new.
FULL_HEARTBEAT_EVERY_SECONDS = 10.0
# `rq suspend` is honoured within a second instead of before every single job.
SUSPENSION_CHECK_EVERY_SECONDS = 1.0


class RabtaWorker(SimpleWorker):
    _full_heartbeat_at: float | None = None  # monotonic time of the last renewal for the full TTL
    _suspension_checked_at: float | None = None

    def heartbeat(self, timeout: int | None = None, pipeline: Any = None) -> None:
        """A renewal for the full TTL is skipped when one went out moments ago. A job's own heartbeat sets a
        shorter TTL (its timeout + 60 s) and is never skipped; after it, the next full renewal always goes out,
        so an idle worker blocked on the queue keeps its registration."""
        full, moment = timeout is None, time.monotonic()
        if full and _within(moment, self._full_heartbeat_at, FULL_HEARTBEAT_EVERY_SECONDS):
            return
        if pipeline is not None:
            super().heartbeat(timeout, pipeline)
        else:
            with self.connection.pipeline(transaction=False) as batch:  # its three commands in one round trip
                super().heartbeat(timeout, batch)
                batch.execute()
        self._full_heartbeat_at = moment if full else None  # not reached when Redis refused it: retried next time

    def check_for_suspension(self, burst: bool) -> None:
        moment = time.monotonic()
        if _within(moment, self._suspension_checked_at, SUSPENSION_CHECK_EVERY_SECONDS):
            return
        self._suspension_checked_at = moment
        super().check_for_suspension(burst)

    def set_state(self, state: str, pipeline: Any = None) -> None:
        """RQ sets "idle" after a job and again before the next dequeue: the second write changes nothing."""
        if pipeline is None and state == self._state:
            return
        super().set_state(state, pipeline)

    def perform_job(self, job: Job, queue: Queue, execution: Execution) -> bool:
        meta = job.meta or {}
        with request_id.bound(meta.get(REQUEST_ID_META) or request_id.new()):
            started = time.perf_counter()
            succeeded = super().perform_job(job, queue, execution)
            _log_job(job, queue.name, succeeded, time.perf_counter() - started, meta.get(PERIODIC_META))
        metrics.count_job(queue.name, "succeeded" if succeeded else "failed")
        return succeeded

    def unsubscribe(self) -> None:
        """Stop listening for RQ's commands, at once. RQ sends UNSUBSCRIBE and then stops the listener
        thread; by the time it stops it, the thread may have read the reply and gone back to wait up to
        60 s for a subscription, and from redis-py 8.2 stopping it waits for that: a burst run or a
        shutdown hung for a minute. Told to stop first, the thread leaves as soon as the reply wakes it."""
        thread = self.pubsub_thread
        if thread is None:
            return
        thread._running.clear()  # what redis-py's PubSubWorkerThread.stop() does before it waits
        self.pubsub.unsubscribe()
        thread.join(timeout=1)
        self.pubsub.close()

    def register_death(self) -> None:
        """Stopping must not end in a traceback when Redis has just failed over under us: the registration
        expires by itself and RQ cleans up after dead workers."""
        try:
            super().register_death()
        except redis.RedisError as exc:
            log.warning("worker %s stopped without deregistering: %s", self.name, exc)


def _within(moment: float, last: float | None, seconds: float) -> bool:
    return last is not None and moment - last < seconds


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
