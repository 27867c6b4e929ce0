"""The `rabta` command as an operator runs it: real processes, real Redis, real database."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from app.redis_conn import EMBEDDED_SOCKET, OWNER_FILE, ensure_embedded_server, stop_embedded_server
from tests.support import free_port

RABTA = [sys.executable, "-c", "from app.cli import main; main()"]


def _env(instance: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(INSTANCE_PATH=str(instance), LOG_LEVEL="WARNING", **extra)
    return env


def _rabta(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*RABTA, *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def fresh_instance(tmp_path: Path):  # type: ignore[no-untyped-def]
    yield tmp_path
    stop_embedded_server(tmp_path)


def test_upgrade_then_seed_twice_on_embedded_defaults(fresh_instance: Path) -> None:
    env = _env(fresh_instance)
    assert _rabta(env, "db", "upgrade").returncode == 0
    first = _rabta(env, "seed", "--demo")
    second = _rabta(env, "seed", "--demo")
    assert first.returncode == 0 and "new bills: 9" in first.stdout
    assert second.returncode == 0 and "new bills: 0, new applications: 0" in second.stdout
    assert (fresh_instance / "rabta.sqlite3").exists()


def test_a_command_stops_the_embedded_redis_it_started(fresh_instance: Path) -> None:
    env = _env(fresh_instance)
    assert _rabta(env, "db", "upgrade").returncode == 0
    assert not _answers(fresh_instance / EMBEDDED_SOCKET), "the command started it, so the command stops it"


def test_a_command_leaves_running_an_embedded_redis_someone_else_owns(fresh_instance: Path) -> None:
    socket_path = ensure_embedded_server(fresh_instance)  # this test process owns it
    assert _rabta(_env(fresh_instance), "db", "upgrade").returncode == 0
    assert redis.Redis(unix_socket_path=str(socket_path)).ping()


def test_a_redis_left_by_a_crashed_owner_is_adopted_and_stopped_by_the_next_command(fresh_instance: Path) -> None:
    socket_path = ensure_embedded_server(fresh_instance)
    (fresh_instance / OWNER_FILE).write_text("999999999")  # an owner that no longer exists
    assert _rabta(_env(fresh_instance), "db", "upgrade").returncode == 0
    assert not _answers(socket_path)


def test_a_burst_worker_drains_what_the_web_side_queued(fresh_instance: Path) -> None:
    env = _env(fresh_instance)
    ensure_embedded_server(fresh_instance)  # shared by the processes below, stopped by the fixture
    assert _rabta(env, "db", "upgrade").returncode == 0
    code = ("from app import create_app; from app.runtime import current\n"
            "app = create_app()\n"
            "with app.app_context(): current().enqueue('default', 'app.notifications.jobs.drain_outbox')\n")
    assert subprocess.run([sys.executable, "-c", code], env=env, timeout=60).returncode == 0
    client = redis.Redis(unix_socket_path=str(fresh_instance / EMBEDDED_SOCKET))
    assert client.llen("rq:queue:default") == 1
    result = _rabta(env, "worker", "--burst")
    assert result.returncode == 0, result.stderr
    assert client.llen("rq:queue:default") == 0


def test_rabta_dev_runs_everything_and_stops_cleanly_on_ctrl_c(fresh_instance: Path) -> None:
    port, wallet_port = free_port(), free_port()
    env = _env(fresh_instance)
    dev = subprocess.Popen([*RABTA, "dev", "--port", str(port), "--wallet-port", str(wallet_port)], env=env,
                           stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    try:
        _wait_for(port, "/readyz")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/readyz")
        assert connection.getresponse().status == 200
    finally:
        dev.send_signal(signal.SIGINT)
        output, _ = dev.communicate(timeout=60)
    assert dev.returncode == 0, output
    assert f"http://127.0.0.1:{port}" in output and "stopped." in output
    assert not (fresh_instance / EMBEDDED_SOCKET).exists() or not _answers(fresh_instance / EMBEDDED_SOCKET)
    with pytest.raises(OSError):
        http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/healthz")


def _answers(socket_path: Path) -> bool:
    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1).ping())
    except redis.RedisError:
        return False


def _wait_for(port: int, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"nothing answered on port {port}")


def test_the_help_describes_rabtas_commands_and_not_flasks(fresh_instance: Path) -> None:
    result = _rabta(_env(fresh_instance), "--help")
    assert result.returncode == 0, result.stderr
    for command in ("db", "dev", "seed", "worker", "outbox", "routes", "agency", "payments", "ussd"):
        assert f"\n  {command} " in result.stdout
    for flask_only in ("--env-file", "python-dotenv", "Flask version", "\n  run ", "\n  shell "):
        assert flask_only not in result.stdout
    assert ".env.example" in result.stdout
