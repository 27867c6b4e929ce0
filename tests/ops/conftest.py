"""Real processes for the operations tests: gunicorn web servers and `rabta worker`s, output captured."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.support import free_port

RABTA = [sys.executable, "-c", "from app.cli import main; main()"]


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    url: str | None = None

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


@dataclass
class Processes:
    """Start web servers and workers on demand; all are stopped (and waited for) at the end."""

    base_env: dict[str, str]
    tmp: Path
    started: list[Process] = field(default_factory=list)

    def _spawn(self, name: str, argv: list[str], env: dict[str, str], url: str | None = None) -> Process:
        log_path = self.tmp / f"{name}-{len(self.started)}.log"
        handle = open(log_path, "wb")  # noqa: SIM115 (the child owns it until it exits)
        popen = subprocess.Popen(argv, env={**self.base_env, **env}, stdout=handle, stderr=subprocess.STDOUT,
                                 start_new_session=True)
        handle.close()
        process = Process(name, popen, log_path, url)
        self.started.append(process)
        return process

    def web(self, workers: int = 2, port: int | None = None, **env: str) -> Process:
        port = port or free_port()
        argv = [sys.executable, "-m", "gunicorn", "--config", "python:app.gunicorn_conf", "--bind",
                f"127.0.0.1:{port}", "--workers", str(workers), "--threads", "4", "app.wsgi:app"]
        process = self._spawn("web", argv, env, f"http://127.0.0.1:{port}")
        _wait_ready(process)
        return process

    def worker(self, **env: str) -> Process:
        return self._spawn("worker", [*RABTA, "worker"], env)

    def stop(self, process: Process, timeout: float = 20) -> None:
        if process.popen.poll() is None:
            process.popen.terminate()
            try:
                process.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.popen.kill()
                process.popen.wait(timeout=10)

    def stop_all(self) -> None:
        for process in reversed(self.started):
            self.stop(process)


def _wait_ready(process: Process, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise AssertionError(f"{process.name} exited: {process.output()[-3000:]}")
        try:
            if requests.get(f"{process.url}/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{process.name} did not answer within {timeout} s: {process.output()[-3000:]}")


@pytest.fixture
def processes(process_env: dict[str, str], tmp_path: Path) -> Iterator[Processes]:
    env = {**os.environ, **process_env, "LOG_FORMAT": "json", "LOG_LEVEL": "INFO"}
    running = Processes(env, tmp_path)
    yield running
    running.stop_all()


UssdPoster = Callable[..., str]
