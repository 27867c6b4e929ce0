"""Shared benchmark harness: run an app under gunicorn on loopback and load it.

Every benchmark reports its figures beside `bench.minimal_app` (one Redis read and
one write per request) measured in the same run with the same server settings, so
the ratio means something on any machine.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlencode

from tests.support import free_port

# A request maker returns (method, path, body, headers) for the i-th request of a client.
Request = tuple[str, str, bytes | None, dict[str, str]]
RequestMaker = Callable[[int, int], Request]


@dataclass
class LoadResult:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]

    def summary(self) -> dict[str, float | int | str]:
        return {"name": self.name, "requests": self.requests, "errors": self.errors,
                "req_per_s": round(self.per_second, 1), "p50_ms": round(self.percentile(50), 2),
                "p99_ms": round(self.percentile(99), 2),
                "mean_ms": round(statistics.fmean(self.latencies_ms), 2) if self.latencies_ms else 0.0}


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str], workers: int = 2, threads: int = 1,
             worker_class: str = "sync") -> Iterator[str]:
    """Serve `app_spec` on a free loopback port; yield its base URL."""
    port = free_port()
    argv = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
            "--threads", str(threads), "--worker-class", worker_class, "--log-level", "warning",
            "--backlog", "2048", app_spec]
    process = subprocess.Popen(argv, env={**os.environ, **env})
    try:
        _wait_until_up(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait_until_up(port: int, path: str = "/healthz", timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", path)
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start")


def run_load(name: str, base_url: str, make_request: RequestMaker, clients: int, requests_per_client: int,
             ok: Callable[[int, bytes], bool] = lambda status, _body: status < 400) -> LoadResult:
    """`clients` keep-alive connections, each sending `requests_per_client` requests in order."""
    host, port = base_url.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client(client_index: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        mine: list[float] = []
        failed = 0
        barrier.wait()
        for i in range(requests_per_client):
            method, path, body, headers = make_request(client_index, i)
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                payload = response.read()
                if not ok(response.status, payload):
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = http.client.HTTPConnection(host, int(port), timeout=30)
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return LoadResult(name, clients * requests_per_client, errors[0], elapsed, latencies)


def form(fields: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    return urlencode(fields).encode(), {"Content-Type": "application/x-www-form-urlencoded"}


def as_json(value: object) -> tuple[bytes, dict[str, str]]:
    return json.dumps(value).encode(), {"Content-Type": "application/json"}


def report(results: list[LoadResult], baseline: LoadResult) -> dict[str, object]:
    """Print and return each result beside the minimal endpoint, as a throughput ratio."""
    rows = []
    for result in [baseline, *results]:
        row = result.summary()
        row["ratio_to_minimal"] = round(result.per_second / baseline.per_second, 3) if baseline.per_second else 0
        rows.append(row)
    for row in rows:
        print(json.dumps(row))
    return {"results": rows}
