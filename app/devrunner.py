"""`rabta dev`: the whole system in the foreground, stopped cleanly by Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

import click

from app.settings import Settings

RABTA = [sys.executable, "-c", "from app.cli import main; main()"]


@dataclass
class DevProcess:
    name: str
    argv: list[str]
    where: str
    env: dict[str, str] = field(default_factory=dict)


def planned_processes(settings: Settings, host: str, port: int, workers: int) -> list[DevProcess]:
    """What `rabta dev` runs. Payments adds its sandbox wallet here."""
    web = DevProcess("web", [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--workers", "2",
                             "--threads", "4", "--config", "python:app.gunicorn_conf", "app.wsgi:app"],
                     f"http://{host}:{port}")
    processes = [web]
    processes += [DevProcess(f"worker-{i + 1}", [*RABTA, "worker"], "queues: all") for i in range(workers)]
    if "sandbox" in settings.payment_wallets:
        processes.append(_sandbox_wallet(settings, f"http://{host}:{port}"))
    return processes


def _sandbox_wallet(settings: Settings, web_url: str) -> DevProcess:
    """The sandbox wallet listens where SANDBOX_WALLET_URL points and calls back the web app."""
    from urllib.parse import urlsplit

    where = urlsplit(settings.SANDBOX_WALLET_URL)
    public = settings.PUBLIC_BASE_URL if "PUBLIC_BASE_URL" in settings.model_fields_set else web_url
    env = {"SANDBOX_WALLET_SECRET": settings.SANDBOX_WALLET_SECRET,
           "SANDBOX_WALLET_CALLBACK_URL": public.rstrip("/") + "/payments/callbacks/sandbox"}
    argv = [sys.executable, "-m", "sandbox_wallet", "--host", where.hostname or "127.0.0.1",
            "--port", str(where.port or 8100)]
    return DevProcess("sandbox", argv, f"{settings.SANDBOX_WALLET_URL} -> {env['SANDBOX_WALLET_CALLBACK_URL']}", env)


def _start(process: DevProcess, base_env: dict[str, str]) -> subprocess.Popen[bytes]:
    # Own process group: Ctrl-C reaches us once and we stop the children in order.
    return subprocess.Popen(process.argv, env={**base_env, **process.env}, start_new_session=True)


def _stop_all(children: list[tuple[DevProcess, subprocess.Popen[bytes]]]) -> None:
    for _, child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for _, child in children:
        try:
            child.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            child.kill()


@click.command("dev")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=lambda: int(os.environ.get("PORT", "8000")), type=int,
              help="Web port (default: $PORT or 8000).")
@click.option("--workers", default=1, show_default=True, help="RQ worker processes.")
def dev_command(host: str, port: int, workers: int) -> None:
    """Run web server, RQ worker(s), embedded Redis and the sandbox wallet together."""
    from app import redis_conn
    from app.migrate import upgrade

    settings = Settings()
    instance = settings.INSTANCE_PATH.resolve()
    env = dict(os.environ)
    started_redis = False
    if not settings.REDIS_URL and not settings.REDIS_SENTINELS:
        started_redis = not (instance / redis_conn.EMBEDDED_SOCKET).exists()
        redis_conn.ensure_embedded_server(instance)
        env["REDIS_URL"] = redis_conn.embedded_url(instance)
        click.echo(f"  redis     embedded, {env['REDIS_URL']}")
    else:
        click.echo(f"  redis     {settings.REDIS_URL or 'sentinels ' + settings.REDIS_SENTINELS}")
    upgrade(settings.database_url)
    click.echo(f"  database  {settings.database_url}")
    children = []
    for process in planned_processes(settings, host, port, workers):
        children.append((process, _start(process, env)))
        click.echo(f"  {process.name:<9} {process.where}")
    click.echo("Rabta is running. Press Ctrl-C to stop.")
    exit_code = _supervise(children)
    _stop_all(children)
    if started_redis:
        redis_conn.stop_embedded_server(instance)
    click.echo("stopped.")
    sys.exit(exit_code)


def _supervise(children: list[tuple[DevProcess, subprocess.Popen[bytes]]]) -> int:
    stopping = {"requested": False}

    def request_stop(_signum: int, _frame: object) -> None:
        stopping["requested"] = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    while not stopping["requested"]:
        for process, child in children:
            if child.poll() is not None:
                click.echo(f"{process.name} exited with {child.returncode}; stopping everything", err=True)
                return 1
        time.sleep(0.3)
    return 0
