"""`rabta dev` as a newcomer meets it: the banner once everything answers, free ports, restarts, clean stops."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import requests
from rq import Worker

from app.devrunner import DEFAULT_WALLET_PORT, banner, choose_wallet_url, planned_processes, port_is_free
from app.pages import PAGES
from app.redis_conn import EMBEDDED_SOCKET, stop_embedded_server
from app.settings import ConfigurationError, Settings
from tests.support import free_port

RABTA = [sys.executable, "-c", "from app.cli import main; main()"]


def _env(instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "PORT", "PUBLIC_BASE_URL",
                                                            "SANDBOX_WALLET_URL")}
    env.update(INSTANCE_PATH=str(instance), LOG_LEVEL="WARNING")
    return env


@pytest.fixture
def listening() -> Iterator[socket.socket]:
    """A port something else already listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock


def test_the_wallet_takes_8100_or_a_free_port_when_8100_is_taken() -> None:
    holder = socket.socket()
    try:
        try:
            holder.bind(("127.0.0.1", DEFAULT_WALLET_PORT))
            holder.listen()
        except OSError:
            pass  # already taken by something else: the same situation
        chosen = choose_wallet_url(Settings(), None)
        port = int(chosen.rsplit(":", 1)[1])
        assert port != DEFAULT_WALLET_PORT and port_is_free("127.0.0.1", port)
    finally:
        holder.close()


def test_an_explicit_wallet_port_that_is_taken_is_refused_in_one_line(listening: socket.socket) -> None:
    port = listening.getsockname()[1]
    with pytest.raises(ConfigurationError, match=f"--wallet-port {port} is in use"):
        choose_wallet_url(Settings(), port)
    with pytest.raises(ConfigurationError, match=re.escape("SANDBOX_WALLET_URL=http://127.0.0.1:")):
        choose_wallet_url(Settings(SANDBOX_WALLET_URL=f"http://127.0.0.1:{port}"), None)


def test_gunicorn_runs_with_rabtas_config_no_shared_control_socket_and_a_redacting_logger(tmp_path: Path) -> None:
    from app import gunicorn_conf
    from app.accesslog import RedactingLogger

    settings = Settings(INSTANCE_PATH=tmp_path, PORT=9100)
    web, worker, wallet = planned_processes(settings, "127.0.0.1", 9100, 1, "http://127.0.0.1:9101")
    assert "python:app.gunicorn_conf" in web.argv
    assert gunicorn_conf.control_socket_disable and issubclass(gunicorn_conf.logger_class, RedactingLogger)
    assert worker.is_worker and worker.restart and wallet.restart and not web.restart
    assert wallet.env["SANDBOX_WALLET_CALLBACK_URL"] == "http://127.0.0.1:9100/payments/callbacks/sandbox"
    assert str(tmp_path / "sandbox_wallet.sqlite3") in wallet.argv


def test_the_banner_names_every_page_and_the_exact_commands_for_the_chosen_port() -> None:
    text = "\n".join(banner("http://127.0.0.1:9123", Settings(PORT=9123)))
    for page in PAGES:
        assert f"http://127.0.0.1:9123{page.path}" in text
    assert "ussd simulate --url http://127.0.0.1:9123 +923001234567" in text
    assert "http://127.0.0.1:9123/sms/africastalking" in text and "outbox tail" in text


def test_a_web_port_in_use_is_one_line(tmp_path: Path, listening: socket.socket) -> None:
    port = listening.getsockname()[1]
    result = subprocess.run([*RABTA, "dev", "--port", str(port)], env=_env(tmp_path), capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"rabta: PORT={port}: the port is in use" in result.stderr and "--port 9000" in result.stderr


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path, int, int]]:
    port, wallet_port = free_port(), free_port()
    log = tmp_path / "dev.log"
    instance = tmp_path / "instance"
    with open(log, "w") as out:
        process = subprocess.Popen([*RABTA, "dev", "--port", str(port), "--wallet-port", str(wallet_port)],
                                   env=_env(instance), stdout=out, stderr=subprocess.STDOUT, text=True)
    yield process, log, port, wallet_port
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    stop_embedded_server(instance)


def _wait_for(predicate, timeout: float = 120) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met"
        time.sleep(0.2)


def _workers(instance: Path) -> list[Worker]:
    client = redis.Redis(unix_socket_path=str(instance / EMBEDDED_SOCKET))
    try:
        return [w for w in Worker.all(connection=client) if w.pid]
    finally:
        client.close()


def test_the_banner_comes_once_everything_answers_and_a_killed_worker_comes_back(
        dev: tuple[subprocess.Popen[str], Path, int, int]) -> None:
    process, log, port, wallet_port = dev
    _wait_for(lambda: "Rabta is running" in log.read_text() or process.poll() is not None)
    assert process.poll() is None, log.read_text()
    # The moment the banner is out, every process answers.
    assert requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200
    assert requests.get(f"http://127.0.0.1:{wallet_port}/healthz", timeout=5).status_code == 200
    instance = log.parent / "instance"
    [worker] = _workers(instance)

    os.kill(worker.pid, signal.SIGKILL)
    _wait_for(lambda: "worker-1 restarted" in log.read_text())
    _wait_for(lambda: any(w.pid != worker.pid for w in _workers(instance)))
    assert process.poll() is None, "a crashed worker does not stop everything"
    assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200

    requests.post(f"http://127.0.0.1:{port}/sms/africastalking?token=s3cret-token", timeout=5)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0
    output = log.read_text()
    # The request was logged (path only, or with the query redacted), the secret never.
    assert "/sms/africastalking" in output and "s3cret-token" not in output
    for busy in (port, wallet_port):
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{busy}/healthz", timeout=2)
