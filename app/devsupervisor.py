"""The process supervisor behind `rabta dev`.

Starts each process in its own session (Ctrl-C reaches `rabta dev` once; it stops
the children in order), waits until every one answers before printing the banner,
restarts a crashed worker or sandbox wallet with backoff, and stops everything on
Ctrl-C / SIGTERM, or when the web server itself dies.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import click
import redis
import requests

READY_TIMEOUT_SECONDS = 90
RESTART_DELAYS_SECONDS = (1, 2, 5, 10, 30)
STABLE_AFTER_SECONDS = 60  # a process up this long starts its backoff afresh
STOP_TIMEOUT_SECONDS = 15
POLL_SECONDS = 0.3


@dataclass
class DevProcess:
    name: str
    argv: list[str]
    where: str
    env: dict[str, str] = field(default_factory=dict)
    ready_url: str | None = None  # answers 200 once the process serves
    is_worker: bool = False  # ready once RQ lists it
    restart: bool = True  # restarted with backoff when it dies (the web server is not: gunicorn restarts its own)


@dataclass
class Child:
    spec: DevProcess
    popen: subprocess.Popen[bytes]
    started_at: float
    crashes: int = 0
    restart_at: float | None = None


class Supervisor:
    def __init__(self, processes: list[DevProcess], env: dict[str, str],
                 connect_redis: Callable[[], redis.Redis]) -> None:
        self.processes = processes
        self.env = env
        self.connect_redis = connect_redis  # where workers register (a URL, the embedded socket or sentinels)
        self.children: list[Child] = []
        self.stop_requested = False

    def run(self, banner: Callable[[], list[str]]) -> int:
        signal.signal(signal.SIGINT, self._request_stop)
        signal.signal(signal.SIGTERM, self._request_stop)
        try:
            for process in self.processes:
                self.children.append(Child(process, self._start(process), time.monotonic()))
                click.echo(f"  {process.name:<9} {process.where}")
            if not self._wait_until_ready():
                return 0 if self.stop_requested else 1  # Ctrl-C while starting is a clean stop
            click.echo("\n".join(banner()))
            return self._supervise()
        finally:
            self._stop_all()

    def _request_stop(self, _signum: int, _frame: object) -> None:
        self.stop_requested = True

    def _start(self, process: DevProcess) -> subprocess.Popen[bytes]:
        return subprocess.Popen(process.argv, env={**self.env, **process.env}, start_new_session=True)

    def _wait_until_ready(self) -> bool:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        waiting = list(self.children)
        while waiting and not self.stop_requested:
            for child in self.children:
                if child.popen.poll() is not None:
                    click.echo(f"{child.spec.name} exited with {child.popen.returncode} while starting; stopping",
                               err=True)
                    return False
            waiting = [child for child in waiting if not self._answers(child)]
            if time.monotonic() > deadline:
                names = ", ".join(child.spec.name for child in waiting)
                click.echo(f"{names} did not answer within {READY_TIMEOUT_SECONDS} s; stopping", err=True)
                return False
            if waiting:
                time.sleep(POLL_SECONDS)
        return not self.stop_requested

    def _answers(self, child: Child) -> bool:
        spec = child.spec
        if spec.ready_url:
            try:
                return requests.get(spec.ready_url, timeout=2).status_code == 200
            except requests.RequestException:
                return False
        if spec.is_worker:
            return child.popen.pid in self._registered_worker_pids()
        return True

    def _registered_worker_pids(self) -> set[int]:
        from rq import Worker

        client = self.connect_redis()
        try:
            return {worker.pid for worker in Worker.all(connection=client) if worker.pid}
        except redis.RedisError:
            return set()
        finally:
            client.close()

    def _supervise(self) -> int:
        while not self.stop_requested:
            now = time.monotonic()
            for child in self.children:
                if child.popen.poll() is None:
                    if child.crashes and now - child.started_at > STABLE_AFTER_SECONDS:
                        child.crashes = 0
                    continue
                if not child.spec.restart:
                    click.echo(f"{child.spec.name} exited with {child.popen.returncode}; stopping everything",
                               err=True)
                    return 1
                self._restart_later_or_now(child, now)
            time.sleep(POLL_SECONDS)
        return 0

    def _restart_later_or_now(self, child: Child, now: float) -> None:
        if child.restart_at is None:
            delay = RESTART_DELAYS_SECONDS[min(child.crashes, len(RESTART_DELAYS_SECONDS) - 1)]
            child.restart_at = now + delay
            click.echo(f"{child.spec.name} exited with {child.popen.returncode}; restarting in {delay} s", err=True)
        elif now >= child.restart_at:
            child.popen = self._start(child.spec)
            child.started_at, child.restart_at = now, None
            child.crashes += 1
            click.echo(f"{child.spec.name} restarted (pid {child.popen.pid})", err=True)

    def _stop_all(self) -> None:
        for child in self.children:
            if child.popen.poll() is None:
                child.popen.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for child in self.children:
            try:
                child.popen.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:  # the whole session: its own children go too
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.popen.pid, signal.SIGKILL)
                child.popen.wait()
