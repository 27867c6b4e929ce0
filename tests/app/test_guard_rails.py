"""Production guard rails as an operator meets them: every process refuses with one readable message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import free_port

UNSAFE_PRODUCTION = {"RABTA_ENV": "production", "SECRET_KEY": "change-me", "SMS_PROVIDER": "console",
                     "PUBLIC_BASE_URL": "http://rabta.example.gov.pk"}


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "AT_WEBHOOK_TOKEN")}
    return {**env, **UNSAFE_PRODUCTION, "INSTANCE_PATH": str(tmp_path)}


def _assert_one_readable_refusal(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode != 0
    assert "Traceback" not in done.stderr, done.stderr
    assert "Rabta will not start with RABTA_ENV=production:" in done.stderr
    for named in ("SECRET_KEY", "CNIC_ENCRYPTION_KEY", "AT_WEBHOOK_TOKEN", "PAYMENT_PROVIDER",
                  "SANDBOX_WALLET_SECRET", "SMS_PROVIDER", "SQLite", "Redis is the embedded one", "PUBLIC_BASE_URL"):
        assert named in done.stderr, named


@pytest.mark.parametrize("command", [["routes"], ["worker", "--burst"], ["db", "upgrade"]])
def test_every_rabta_command_refuses_unsafe_production_settings_in_one_message(
        tmp_path: Path, command: list[str]) -> None:
    done = subprocess.run([sys.executable, "-c", "from app.cli import main; main()", *command], env=_env(tmp_path),
                          capture_output=True, text=True, timeout=60)
    _assert_one_readable_refusal(done)
    assert not (tmp_path / "redis.sock").exists(), "nothing was started"


def test_the_web_server_refuses_before_starting_any_worker(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "gunicorn", "--config", "python:app.gunicorn_conf", "--bind",
                           f"127.0.0.1:{free_port()}", "app.wsgi:app"], env=_env(tmp_path), capture_output=True,
                          text=True, timeout=60)
    _assert_one_readable_refusal(done)
    assert "Booting worker" not in done.stderr
