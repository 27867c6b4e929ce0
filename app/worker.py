"""The RQ worker Rabta runs: every queue, JSON jobs, no fork per job.

Jobs run in the worker process itself (SimpleWorker) so they share the app context,
the connection pool and the embedded Redis; a crash is recovered by RQ's
abandoned-job handling plus our idempotent jobs and reconciliation.
"""

from __future__ import annotations

from collections.abc import Iterable

import redis
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from app.queue import ALL_QUEUES, get_queue
from app.runtime import Runtime


def worker_queue_names(requested: Iterable[str] | None = None) -> list[str]:
    names = list(requested) if requested else list(ALL_QUEUES)
    unknown = [n for n in names if n not in ALL_QUEUES]
    if unknown:
        raise ValueError(f"unknown queues: {', '.join(unknown)}")
    return names


def build_worker(runtime: Runtime, requested: Iterable[str] | None = None) -> SimpleWorker:
    # A dedicated connection without a read timeout: the worker blocks on BLPOP.
    connection = redis.Redis(connection_pool=runtime.redis.connection_pool)
    queues = [get_queue(name, connection) for name in worker_queue_names(requested)]
    return SimpleWorker(queues, connection=connection, serializer=JSONSerializer)
