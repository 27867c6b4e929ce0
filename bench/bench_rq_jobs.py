"""What the worker itself costs per job: RQ's SimpleWorker against Rabta's worker, on jobs that do nothing.

Every payment is two jobs (the charge and the callback's confirmation), so what RQ spends around a job,
apart from the job, is part of every settlement. Each round queues the same no-op jobs twice and lets a
burst worker of each kind run them in this process, alternating, and reports the worker's CPU per job
(`time.process_time`, so waiting on Redis is not counted) and Redis commands per job (the server's
`INFO commandstats`: keep other clients off this Redis server while it runs).

    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python -m bench.bench_rq_jobs [--jobs 2000] [--rounds 3]

Not an HTTP path, so no wrk: the figure is the ratio of the two workers' costs.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import time
import uuid
from typing import Any

import redis
from rq import Queue, SimpleWorker
from rq.serializers import JSONSerializer

from app.worker import RabtaWorker

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/7"


def commands_so_far(connection: redis.Redis) -> int:
    return sum(int(stats["calls"]) for stats in connection.info("commandstats").values())


def one_run(connection: redis.Redis, worker_class: type[SimpleWorker], jobs: int) -> dict[str, float]:
    queue = Queue(f"bench-{uuid.uuid4().hex[:8]}", connection=connection, serializer=JSONSerializer)
    queue.enqueue_many([Queue.prepare_data(func="builtins.len", args=([1],)) for _ in range(jobs)])
    worker = worker_class([queue], connection=connection, serializer=JSONSerializer)
    commands, cpu, wall = commands_so_far(connection), time.process_time(), time.perf_counter()
    worker.work(burst=True, logging_level="WARNING")
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    commands = commands_so_far(connection) - commands - 1  # the INFO itself
    done = queue.finished_job_registry.get_job_count()
    queue.empty()
    connection.delete(*connection.keys(f"rq:*{queue.name}*") or ["-"])
    if done != jobs:
        raise RuntimeError(f"{worker_class.__name__} finished {done} of {jobs} jobs")
    return {"cpu_ms": cpu / jobs * 1000, "wall_ms": wall / jobs * 1000, "redis_commands": commands / jobs}


def run(jobs: int, rounds: int) -> dict[str, Any]:
    connection = redis.Redis.from_url(os.environ.get("REDIS_URL", DEFAULT_REDIS_URL))
    logging.getLogger("rabta.worker").setLevel(logging.WARNING)
    runs: dict[str, list[dict[str, float]]] = {"rq.SimpleWorker": [], "RabtaWorker": []}
    for _ in range(rounds):
        runs["rq.SimpleWorker"].append(one_run(connection, SimpleWorker, jobs))
        runs["RabtaWorker"].append(one_run(connection, RabtaWorker, jobs))
    summary: dict[str, Any] = {"jobs": jobs, "rounds": rounds}
    for name, results in runs.items():
        summary[name] = {key: round(statistics.median(r[key] for r in results), 2) for key in results[0]}
        summary[name]["cpu_ms_rounds"] = [round(r["cpu_ms"], 2) for r in results]
    summary["cpu_ratio"] = round(summary["RabtaWorker"]["cpu_ms"] / summary["rq.SimpleWorker"]["cpu_ms"], 2)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    print(json.dumps(run(options.jobs, options.rounds), indent=2))


if __name__ == "__main__":
    main()
