"""The README's walkthroughs, run as written against a real `rabta dev` (issue 16).

Every fenced block marked ```sh walkthrough is parsed from README.md and its commands run in README order
with bash, from the repository root, against `rabta dev` on free ports with the embedded Redis and a fresh
instance folder. `# expect: TEXT` under a command: its output contains TEXT. `# eventually: TEXT`: it does
within a minute (the command is run again until then). Shell variables set by one command (`KEY=$(...)`)
are seen by the next. At the end `rabta dev` gets SIGINT, and no process it started may be left and both
ports must be free again. Slow (about two minutes), and part of the suite, so the README cannot drift.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from app.redis_conn import EMBEDDED_SOCKET, stop_embedded_server
from tests.support import free_port, living_descendants

ROOT = Path(__file__).resolve().parents[1]
RABTA = [sys.executable, "-c", "from app.cli import main; main()"]
FENCE = re.compile(r"^```sh walkthrough\n(.*?)^```$", re.S | re.M)
ASSIGNMENT = re.compile(r"^([A-Z_][A-Z0-9_]*)=")
EVENTUALLY_SECONDS = 60


@dataclass
class Step:
    command: str
    expect: list[str] = field(default_factory=list)
    eventually: list[str] = field(default_factory=list)


def walkthrough_steps(readme: str) -> list[Step]:
    steps: list[Step] = []
    for block in FENCE.findall(readme):
        for line in block.splitlines():
            if not line.strip():
                continue
            if line.startswith("# expect: "):
                steps[-1].expect.append(line.removeprefix("# expect: "))
            elif line.startswith("# eventually: "):
                steps[-1].eventually.append(line.removeprefix("# eventually: "))
            elif not line.startswith("#"):
                steps.append(Step(line))
    return steps


def test_the_readme_walkthroughs_are_marked_and_each_checks_something() -> None:
    steps = walkthrough_steps((ROOT / "README.md").read_text())
    assert len(FENCE.findall((ROOT / "README.md").read_text())) == 5  # 1Bill, USSD, SMS, API, agency
    assert sum(bool(step.expect or step.eventually) for step in steps) >= 15


@dataclass
class Dev:
    process: subprocess.Popen[str]
    port: int
    wallet_port: int
    env: dict[str, str]
    log: Path


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[Dev]:
    instance = tmp_path / "instance"
    port, wallet_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "PUBLIC_BASE_URL")}
    env.update(INSTANCE_PATH=str(instance), PORT=str(port), RABTA_ENV="development", LOG_LEVEL="INFO",
               ONEBILL_USERNAME="bank", ONEBILL_PASSWORD="pw", SANDBOX_WALLET_CALLBACK_DELAY_SECONDS="1")
    for command in (["db", "upgrade"], ["seed", "--demo"]):
        done = subprocess.run([*RABTA, *command], env=env, cwd=ROOT, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stderr
    log = tmp_path / "dev.log"
    with open(log, "w") as out:
        process = subprocess.Popen([*RABTA, "dev", "--port", str(port), "--wallet-port", str(wallet_port)], env=env,
                                   cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, text=True)
    running = Dev(process, port, wallet_port, env, log)
    try:
        _wait_for_banner(running)
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        stop_embedded_server(instance)


def _wait_for_banner(dev: Dev) -> None:
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        if "Rabta is running" in dev.log.read_text():
            return
        assert dev.process.poll() is None, dev.log.read_text()[-3000:]
        time.sleep(0.3)
    raise AssertionError("rabta dev printed no banner:\n" + dev.log.read_text()[-3000:])


def _run(step: Step, dev: Dev, state: Path) -> str:
    command = step.command.replace("localhost:8000", f"127.0.0.1:{dev.port}").replace(
        "127.0.0.1:8000", f"127.0.0.1:{dev.port}")
    script = f"set -o pipefail\n[ -f {shlex.quote(str(state))} ] && . {shlex.quote(str(state))}\n{command}\n"
    assigned = ASSIGNMENT.match(command)
    if assigned:
        name = assigned.group(1)
        script += f'printf "%s=%q\\n" {name} "${name}" >> {shlex.quote(str(state))}\n'
    done = subprocess.run(["bash", "-c", script], env=dev.env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{step.command}\n{output}"
    return output


def test_every_readme_walkthrough_runs_as_written_and_stops_clean(dev: Dev, tmp_path: Path) -> None:
    state = tmp_path / "walkthrough.env"
    steps = walkthrough_steps((ROOT / "README.md").read_text())
    for step in steps:
        output = _run(step, dev, state)
        for text in step.expect:
            assert text in output, f"{step.command}\nexpected {text!r} in:\n{output}"
        deadline = time.monotonic() + EVENTUALLY_SECONDS
        while step.eventually and not all(text in output for text in step.eventually):
            assert time.monotonic() < deadline, f"{step.command}\nnever printed {step.eventually!r}:\n{output}"
            time.sleep(1)
            output = _run(step, dev, state)

    started = set(living_descendants(dev.process.pid)) | {dev.process.pid}
    dev.process.send_signal(signal.SIGINT)
    assert dev.process.wait(timeout=60) == 0, dev.log.read_text()[-3000:]
    assert "stopped." in dev.log.read_text()
    assert not [pid for pid in started if _alive(pid)], "a process rabta dev started is still running"
    assert not (Path(dev.env["INSTANCE_PATH"]) / EMBEDDED_SOCKET).exists() or not _redis_answers(dev)
    for port in (dev.port, dev.wallet_port):
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" not in status.read_text()


def _redis_answers(dev: Dev) -> bool:
    import redis

    try:
        return bool(redis.Redis(unix_socket_path=str(Path(dev.env["INSTANCE_PATH"]) / EMBEDDED_SOCKET),
                                socket_timeout=1).ping())
    except redis.RedisError:
        return False
