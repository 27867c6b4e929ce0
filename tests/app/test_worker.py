"""The worker's own cost per job, that what it stopped repeating still holds (issue 15), and that it stops at once."""

from __future__ import annotations

import time

import pytest
from rq import Queue
from rq.suspension import resume, suspend

from app import queue
from app.runtime import Runtime
from app.worker import build_worker
from tests.support import count_statements


def _queue_noops(runtime: Runtime, count: int) -> None:
    queue.enqueue_many(runtime.redis, queue.PAYMENTS, "builtins.len", [([1],)] * count)


def _round_trips_for(runtime: Runtime, jobs: int) -> int:
    _queue_noops(runtime, jobs)
    with count_statements(runtime.db.engine) as cost:
        assert build_worker(runtime).work(burst=True, with_scheduler=False, logging_level="WARNING")
    assert _payments_queue(runtime).count == 0
    return cost.redis


def _payments_queue(runtime: Runtime) -> Queue:
    return queue.get_queue(queue.PAYMENTS, runtime.redis)


def test_each_payments_job_costs_the_worker_ten_redis_round_trips(runtime: Runtime) -> None:
    # RQ's SimpleWorker makes twenty: heartbeats of three round trips before and after each dequeue and after
    # each job, a suspension check and a repeated "idle" state. What the worker starts and stops with cancels out.
    # (A burst worker pops each queue in turn, so jobs on the first queue keep the count to the worker's own.)
    _round_trips_for(runtime, 1)  # the first worker also cleans RQ's registries, and takes a lock for it
    few, many = _round_trips_for(runtime, 5), _round_trips_for(runtime, 25)
    assert (many - few) / 20 == 10


def test_a_worker_renews_its_registration_for_the_full_ttl_after_each_job(runtime: Runtime) -> None:
    worker = build_worker(runtime)
    worker.register_birth()
    try:
        worker.heartbeat()
        full = runtime.redis.ttl(worker.key)
        with count_statements(runtime.db.engine) as repeated:
            worker.heartbeat()
        assert repeated.redis == 0  # renewed a moment ago: nothing to say
        worker.heartbeat(90)  # a job's own, shorter heartbeat
        assert runtime.redis.ttl(worker.key) <= 90
        with count_statements(runtime.db.engine) as after_job:
            worker.heartbeat()
        # an idle worker blocks on the queue for minutes: its registration must outlast that
        assert after_job.redis == 1 and runtime.redis.ttl(worker.key) >= full - 1 > 90
    finally:
        worker.register_death()


def test_a_suspended_worker_takes_no_job(runtime: Runtime) -> None:
    _queue_noops(runtime, 1)
    suspend(runtime.redis)
    try:
        assert build_worker(runtime).work(burst=True, with_scheduler=False, logging_level="WARNING") is False
        assert _payments_queue(runtime).count == 1
    finally:
        resume(runtime.redis)
    assert build_worker(runtime).work(burst=True, with_scheduler=False, logging_level="WARNING") is True
    assert _payments_queue(runtime).count == 0


def test_a_worker_stops_listening_for_commands_as_soon_as_it_stops(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """RQ's command listener could outlive a stopping worker by a minute: when it read UNSUBSCRIBE's reply
    before it was told to stop, it went back to wait 60 s for a subscription, and redis-py 8.2 waits for it
    to stop (a burst run or a shutdown hung). Here the reply always arrives first."""
    worker = build_worker(runtime)
    subscribe = worker.subscribe

    def subscribe_and_dawdle_after_unsubscribing() -> None:
        subscribe()
        unsubscribe = worker.pubsub.unsubscribe

        def unsubscribe_then_dawdle(*channels: str) -> None:
            unsubscribe(*channels)
            time.sleep(0.3)  # the listener reads the reply before the worker gets round to stopping it

        monkeypatch.setattr(worker.pubsub, "unsubscribe", unsubscribe_then_dawdle)

    monkeypatch.setattr(worker, "subscribe", subscribe_and_dawdle_after_unsubscribing)
    started = time.monotonic()
    assert worker.work(burst=True, with_scheduler=False, logging_level="WARNING") is False  # nothing to do
    assert time.monotonic() - started < 10, "the worker waited for its listener's 60 s timeout"
    assert worker.pubsub_thread is not None and not worker.pubsub_thread.is_alive()
