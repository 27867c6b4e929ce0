"""Shared benchmark harness: serve an app under gunicorn on loopback and load it with wrk.

Every HTTP benchmark reports its path beside `bench.minimal_app` (one Redis read and one write per
request), measured in the same run, by the same wrk settings, against a gunicorn with the same
settings, so the ratio means something on any machine (issue 15).

wrk replays requests generated here (`bench/replay.lua`): each wrk thread owns one connection and
its own list, sent strictly in order and never twice (a USSD session's hops follow each other;
an Idempotency-Key, a Twilio MessageSid or a 1Bill tran_auth_id is never repeated).
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from json import dumps
from pathlib import Path
from typing import NamedTuple, cast
from urllib.parse import urlencode

from tests.support import free_port

ROOT = Path(__file__).resolve().parent.parent
REPLAY_LUA = Path(__file__).with_name("replay.lua")
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"
# Bodies that mean the app answered politely but did not do the work (USSD and SMS say so in plain words).
REFUSED_BODIES = ("went wrong", "busy")
# Rate limits out of the way: the limiter still counts every request (its cost is part of the path), it
# just never refuses a benchmark that sends thousands of requests a minute from one address and token
# (the sandbox wallet's callbacks all come from 127.0.0.1: the default 300 a minute would stall any run
# of more than 300 payments, as a real wallet at these rates would be stalled; see the README).
UNLIMITED = {name: "100000000" for name in (
    "API_RATE_LIMIT_PER_MINUTE", "API_IP_RATE_LIMIT_PER_MINUTE", "USSD_HOPS_PER_NUMBER_PER_MINUTE",
    "USSD_HOPS_PER_SESSION_PER_MINUTE", "ONEBILL_REQUESTS_PER_MINUTE", "SMS_INBOUND_LIMIT_PER_HOUR",
    "PAYMENT_CALLBACKS_PER_MINUTE")}


class Request(NamedTuple):
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""


# Makes the requests of one run: (threads, requests per thread) -> one list per wrk thread.
RequestLists = Callable[[int, int], list[list[Request]]]


def form(fields: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    return urlencode(fields).encode(), {"Content-Type": "application/x-www-form-urlencoded"}


def as_json(value: object) -> tuple[bytes, dict[str, str]]:
    return dumps(value).encode(), {"Content-Type": "application/json"}


def form_post(path: str, fields: dict[str, str], headers: dict[str, str] | None = None) -> Request:
    body, content_type = form(fields)
    return Request("POST", path, {**content_type, **(headers or {})}, body)


def json_post(path: str, value: object, headers: dict[str, str] | None = None) -> Request:
    body, content_type = as_json(value)
    return Request("POST", path, {**content_type, **(headers or {})}, body)


# --- gunicorn -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    """gunicorn settings, identical for the floor and the path: the Procfile's web line with `workers`."""

    workers: int = 2
    threads: int = 4
    config: str | None = None

    def describe(self) -> str:
        kind = "gthread" if self.threads > 1 else "sync"
        return f"gunicorn {kind} {self.workers} workers x {self.threads} threads, config {self.config or '-'}"


def procfile_web() -> tuple[int, str | None]:
    """--threads and --config of the Procfile's web line (4 threads, no config if it cannot be read)."""
    try:
        line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    except (OSError, StopIteration):
        return 4, None
    words = shlex.split(line.removeprefix("web:"))
    option = {words[i]: words[i + 1] for i in range(len(words) - 1) if words[i].startswith("--")}
    threads = option.get("--threads", "4")
    return int(threads) if threads.isdigit() else 4, option.get("--config")


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str], workers: int = 2, threads: int = 1, worker_class: str = "sync",
             config: str | None = None) -> Iterator[str]:
    """Serve `app_spec` on a free loopback port; yield its base URL."""
    port = free_port()
    argv = [sys.executable, "-m", "gunicorn", *(["--config", config] if config else []),
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
            "--worker-class", worker_class, "--log-level", "warning", "--backlog", "2048", app_spec]
    process = subprocess.Popen(argv, env={**os.environ, **env}, cwd=ROOT)
    try:
        _wait_until_up(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def serve(app_spec: str, env: dict[str, str], server: Server) -> Iterator[str]:
    worker_class = "gthread" if server.threads > 1 else "sync"
    with gunicorn(app_spec, env, server.workers, server.threads, worker_class, server.config) as url:
        yield url


def _wait_until_up(port: int, process: subprocess.Popen[bytes], path: str = "/healthz", timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn on port {port} did not start")


# --- wrk ------------------------------------------------------------------------------------------------


@dataclass
class WrkResult:
    name: str
    connections: int
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    planned: int
    ran_out: int = 0  # wrk threads whose list ended before the time was up (req/s then reads low)
    bad_sample: str = ""

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        ran_out = f" ({self.ran_out} lists ran out first)" if self.ran_out else ""
        return (f"{self.name:<42} c={self.connections:<3} {self.per_second:8.1f} req/s  p50 {self.p50_ms:6.1f} ms  "
                f"p95 {self.p95_ms:6.1f} ms  p99 {self.p99_ms:6.1f} ms  {self.requests} requests in "
                f"{self.seconds:.1f} s{ran_out}, errors {self.errors}")


def split(requests: Sequence[Request], lists: int) -> list[list[Request]]:
    """One flat list dealt round-robin over `lists` wrk threads."""
    return [list(requests[i::lists]) for i in range(lists)]


def _write_requests(path: Path, requests: list[Request]) -> None:
    """Length-prefixed, which LuaJIT reads without a JSON library:
    `METHOD<TAB>PATH<TAB>header count<TAB>body length`, one `name<TAB>value` line per header, the body, a newline."""
    with path.open("wb") as out:
        for request in requests:
            fields = [request.method, request.path, *request.headers, *request.headers.values()]
            if any(re.search(r"[\t\r\n]", value) for value in fields) or " " in request.path:
                raise ValueError(f"a request field has a tab, newline or (in the path) a space: {request[:2]}")
            out.write(f"{request.method}\t{request.path}\t{len(request.headers)}\t{len(request.body)}\n".encode())
            for name, value in request.headers.items():
                out.write(f"{name}\t{value}\n".encode())
            out.write(request.body + b"\n")


@dataclass(frozen=True)
class Expect:
    """What a good response looks like. Any status >= 400 is an error, and so is a body that starts with none
    of `prefixes`, lacks one of `contains`, or contains one of `refused`."""

    status: int | None = None
    prefixes: tuple[str, ...] = ()
    contains: tuple[str, ...] = ()
    refused: tuple[str, ...] = REFUSED_BODIES

    def write(self, path: Path) -> None:
        lines = [f"status\t{self.status}"] if self.status else []
        lines += [f"prefix\t{p}" for p in self.prefixes] + [f"contains\t{c}" for c in self.contains]
        lines += [f"refused\t{r}" for r in self.refused]
        path.write_text("".join(line + "\n" for line in lines))


def run_wrk(name: str, base_url: str, requests: Sequence[Request] | list[list[Request]], connections: int,
            seconds: float, expect: Expect = Expect()) -> WrkResult:
    """Replay the requests with wrk, one connection per wrk thread, until the lists end or `seconds` pass.
    A flat list is dealt over the threads; a list of lists gives each thread its own, in order."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    flat = bool(requests) and isinstance(requests[0], Request)
    lists = split(cast(Sequence[Request], requests), connections) if flat else cast(list[list[Request]], requests)
    if len(lists) != connections:
        raise ValueError(f"{len(lists)} request lists for {connections} connections (one per wrk thread)")
    with tempfile.TemporaryDirectory(prefix="rabta-wrk-") as folder:
        for index, mine in enumerate(lists, start=1):
            _write_requests(Path(folder) / f"{index}.req", mine)
        expect.write(Path(folder) / "expect.tsv")
        argv = ["wrk", "-t", str(connections), "-c", str(connections), "-d", f"{max(1, math.ceil(seconds))}s",
                "--timeout", "30s", "-s", str(REPLAY_LUA), base_url, "--", folder]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 300)
    if done.returncode != 0 or "REPLAY " not in done.stdout:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    return _parse(name, connections, sum(map(len, lists)), done.stdout)


def _parse(name: str, connections: int, planned: int, out: str) -> WrkResult:
    line = next(line for line in out.splitlines() if line.startswith("REPLAY "))
    figures = {key: float(value) for key, value in re.findall(r"(\w+)=([\d.]+)", line)}
    sample = next((line.removeprefix("REPLAY_SAMPLE ") for line in out.splitlines()
                   if line.startswith("REPLAY_SAMPLE ")), "")
    return WrkResult(name, connections, int(figures["requests"]), int(figures["errors"]), figures["seconds"],
                     figures["p50_ms"], figures["p95_ms"], figures["p99_ms"], planned, int(figures["ran_out"]),
                     sample)


@dataclass
class Load:
    """How hard and how long: every path and its floor run with the same Load."""

    connections: int = 64
    seconds: float = 10.0
    warmup_seconds: float = 2.0
    warmup_per_connection: int = 40
    margin: float = 2.5  # requests generated for the main run: the warm-up rate x seconds x margin
    max_rate: float = 3000.0  # assumed when the warm-up's own requests ran out (its rate is then a floor)


def measure(name: str, base_url: str, make: RequestLists, load: Load, expect: Expect,
            rate_hint: float = 0.0) -> WrkResult:
    """A short warm-up (which also gauges the rate), then the run, time-bounded at `load.seconds`, with
    requests for `margin` times the warm-up's rate; should any list run out, the run is repeated with twice
    as many (wrk's clock runs to the end of -d, so a list that ends early would make req/s read low).
    `rate_hint`: a rate seen before on the same path (a cold warm-up under-reads it)."""
    c = load.connections
    warm = run_wrk(f"{name} (warm-up)", base_url, make(c, load.warmup_per_connection), c, load.warmup_seconds,
                   expect)
    print("  " + warm.line(), flush=True)
    rate = max(warm.per_second, rate_hint, 20.0, load.max_rate if warm.ran_out else 0.0)
    per_connection = max(10, math.ceil(rate * load.seconds * load.margin / c))
    for _attempt in range(3):
        result = run_wrk(name, base_url, make(c, per_connection), c, load.seconds, expect)
        print("  " + result.line(), flush=True)
        if result.bad_sample:
            print(f"  first bad response: {result.bad_sample}", flush=True)
        if not result.ran_out:
            break
        per_connection *= 2
    return result


# --- verdicts -------------------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the issue's table: a path against its floor, throughput ratio or p99 ratio.

    `rounds` holds each (floor, path) pair of an alternating comparison (`compare`): the ratio is then
    the median of the rounds' ratios, and `floor` / `result` are the pair that gave it."""

    path: str
    floor: WrkResult
    result: WrkResult
    target: float
    kind: str = "throughput"  # or "p99"
    rounds: list[tuple[WrkResult, WrkResult]] = field(default_factory=list)

    def ratio_of(self, floor: WrkResult, result: WrkResult) -> float:
        if self.kind == "p99":
            return result.p99_ms / floor.p99_ms if floor.p99_ms else math.inf
        return result.per_second / floor.per_second if floor.per_second else 0.0

    @property
    def ratios(self) -> list[float]:
        return [self.ratio_of(floor, result) for floor, result in self.rounds or [(self.floor, self.result)]]

    @property
    def ratio(self) -> float:
        return statistics.median_high(self.ratios)  # the ratio of a real round, even when rounds are even

    @property
    def clean(self) -> bool:
        return not any(run.errors or run.ran_out for pair in self.rounds or [(self.floor, self.result)]
                       for run in pair)

    @property
    def met(self) -> bool:
        return self.clean and (self.ratio <= self.target if self.kind == "p99" else self.ratio >= self.target)

    @property
    def target_text(self) -> str:
        return f"p99 <= {self.target}x floor" if self.kind == "p99" else f">= {self.target}x floor"


def compare(path: str, target: float, floor_run: Callable[[], WrkResult], path_run: Callable[[float], WrkResult],
            rounds: int, kind: str = "throughput") -> Row:
    """Floor, path, floor, path, ...: `rounds` alternations, both servers up throughout (the idle one costs
    nothing). This VM's speed swings up to 3x within minutes; a floor and a path measured a minute apart
    can land in different minutes, alternating pairs and taking the median ratio cannot be fooled by one.
    `path_run` gets the path's rate so far (a hint for how many requests to make)."""
    pairs: list[tuple[WrkResult, WrkResult]] = []
    for _round in range(max(1, rounds)):
        floor_result = floor_run()
        pairs.append((floor_result, path_run(max((result.per_second for _f, result in pairs), default=0.0))))
    row = Row(path, pairs[0][0], pairs[0][1], target, kind, rounds=pairs)
    middle = sorted(pairs, key=lambda pair: row.ratio_of(*pair))[len(pairs) // 2]
    row.floor, row.result = middle
    return row


HEADER = (f"{'path':<34} {'c':>3} {'floor r/s':>9} {'path r/s':>9} {'ratio':>6} {'target':<18} {'verdict':<8} "
          f"{'floor p99':>9} {'path p99':>9} {'errors':>6}")


def row_line(row: Row) -> str:
    verdict = "met" if row.met else "NOT met"
    errors = sum(run.errors for pair in row.rounds or [(row.floor, row.result)] for run in pair)
    rounds = f"  rounds {' '.join(f'{ratio:.2f}' for ratio in row.ratios)}" if len(row.ratios) > 1 else ""
    return (f"{row.path:<34} {row.result.connections:>3} {row.floor.per_second:>9.1f} {row.result.per_second:>9.1f} "
            f"{row.ratio:>5.2f}x {row.target_text:<18} {verdict:<8} {row.floor.p99_ms:>7.1f}ms "
            f"{row.result.p99_ms:>7.1f}ms {errors:>6}{rounds}")


def print_rows(rows: list[Row]) -> None:
    print(HEADER)
    for row in rows:
        print(row_line(row))
    if any(len(row.ratios) > 1 for row in rows):
        print("# ratio: the median of alternating floor/path rounds (each round's ratio after 'rounds'); the "
              "req/s and p99 columns are that median round's")
    unclean = [row.path for row in rows if not row.clean]
    if unclean:
        print(f"# errors, or requests that ran out before the time was up, in: {', '.join(unclean)} (no verdict)")


# --- command line ---------------------------------------------------------------------------------------


def add_options(parser: argparse.ArgumentParser) -> None:
    threads, _config = procfile_web()
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (= wrk threads)")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each measured run")
    parser.add_argument("--warmup-seconds", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (issue 15: 2)")
    parser.add_argument("--threads", type=int, default=threads, help="gunicorn threads (default: the Procfile's)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternating floor/path runs per row; the ratio is their median")
    parser.add_argument("--quick", action="store_true", help="a smoke run: one round of 3 s runs, 1 s warm-ups")


def load_from(options: argparse.Namespace, connections: int | None = None) -> Load:
    seconds, warmup = (3.0, 1.0) if options.quick else (options.seconds, options.warmup_seconds)
    return Load(connections=connections or options.connections, seconds=seconds, warmup_seconds=warmup,
                warmup_per_connection=15 if options.quick else 40)


def rounds_from(options: argparse.Namespace) -> int:
    return 1 if options.quick else max(1, options.rounds)


def server_from(options: argparse.Namespace) -> Server:
    return Server(workers=options.workers, threads=options.threads, config=procfile_web()[1])


def app_env(instance: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The app's environment for a benchmark: its scratch database, REDIS_URL (db 5 unless set), quiet logs."""
    return {"RABTA_ENV": "development", "INSTANCE_PATH": str(instance), "LOG_LEVEL": "WARNING",
            "DATABASE_URL": database_url, "REDIS_URL": os.environ.get("REDIS_URL", DEFAULT_REDIS_URL),
            "SECRET_KEY": "bench-secret-key-0123456789abcdef", **UNLIMITED, **extra}


def banner(title: str, server: Server, load: Load, database_url: str) -> None:
    one, five, fifteen = os.getloadavg()
    database = database_url.split(":", 1)[0]
    print(f"# {title}: {server.describe()}; wrk {load.connections} connections (1 per thread), {load.seconds:g} s "
          f"runs after a {load.warmup_seconds:g} s warm-up; {database}; {os.cpu_count()} CPUs; "
          f"load average at start {one:.2f} {five:.2f} {fifteen:.2f}", flush=True)
    if database.startswith("sqlite"):
        print("# SQLite: set DATABASE_URL to a PostgreSQL server for the issue's figures", flush=True)


def minimal_requests(method: str = "GET") -> RequestLists:
    """The floor: the same number of requests per thread, all to `/minimal`."""
    return lambda threads, per_thread: [[Request(method, "/minimal", {}, b"")] * per_thread] * threads


def floor(base_url: str, load: Load, method: str = "GET") -> WrkResult:
    # Its requests cost nothing to make: enough for `max_rate`, as a cold warm-up under-reads the floor most.
    return measure(f"floor: {method} /minimal", base_url, minimal_requests(method), load,
                   Expect(status=200, prefixes=("CON ok",)), rate_hint=load.max_rate)


@dataclass
class LoadResult:
    """Latencies gathered in Python (payments end to end, which is not an HTTP load)."""

    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]

    def summary(self) -> dict[str, object]:
        return {"name": self.name, "requests": self.requests, "errors": self.errors,
                "per_s": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
                "p50_ms": round(self.percentile(50), 2), "p99_ms": round(self.percentile(99), 2)}
