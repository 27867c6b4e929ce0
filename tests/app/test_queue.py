"""Every queue the code enqueues to has a worker listening on it."""

from __future__ import annotations

import ast
from pathlib import Path

from app import queue
from app.runtime import Runtime
from app.worker import build_worker

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRS = ("app", "payments", "ussd", "sms")


def _enqueued_queue_constants() -> set[str]:
    """Queue-name constants passed as the queue argument of every `enqueue(...)` call in the code."""
    names: set[str] = set()
    for directory in SOURCE_DIRS:
        for path in (ROOT / directory).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                    "enqueue", "enqueue_in", "enqueue_at"
                ):
                    names.update(_queue_name_args(node))
    return names


def _queue_name_args(call: ast.Call) -> set[str]:
    found = set()
    for arg in call.args[:2]:
        if isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name) and arg.value.id == "queue":
            found.add(getattr(queue, arg.attr))
        elif isinstance(arg, ast.Name) and isinstance(getattr(queue, arg.id, None), str):
            found.add(getattr(queue, arg.id))
    return found


def test_the_worker_listens_on_every_queue_the_code_enqueues_to(runtime: Runtime) -> None:
    listened = set(build_worker(runtime).queue_names())
    enqueued = _enqueued_queue_constants()
    assert enqueued, "the scan found no enqueue calls at all"
    assert enqueued <= listened
    assert listened == set(queue.ALL_QUEUES)


def test_periodic_jobs_only_use_known_queues() -> None:
    from app.scheduler import PERIODIC_JOBS

    assert {job.queue_name for job in PERIODIC_JOBS} <= set(queue.ALL_QUEUES)


def test_enqueueing_to_an_unknown_queue_is_refused(runtime: Runtime) -> None:
    import pytest

    with pytest.raises(ValueError):
        runtime.enqueue("nonexistent", "app.notifications.jobs.drain_outbox")
