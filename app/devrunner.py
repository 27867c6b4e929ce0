"""`rabta dev`: the whole system in the foreground, stopped cleanly by Ctrl-C.

It owns what it starts: the embedded Redis (for its whole lifetime), gunicorn, the
RQ worker(s) and the sandbox wallet. The banner is printed only once every process
answers; a crashed worker or wallet is restarted with backoff (see `app.devsupervisor`).
"""

from __future__ import annotations

import os
import shlex
import socket
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from app.devsupervisor import DevProcess, Supervisor
from app.pages import PAGES
from app.settings import ConfigurationError, Settings

RABTA = [sys.executable, "-c", "from app.cli import main; main()"]
DEFAULT_WALLET_PORT = 8100
WALLET_DB = "sandbox_wallet.sqlite3"


def planned_processes(settings: Settings, host: str, port: int, workers: int,
                      wallet_url: str | None = None) -> list[DevProcess]:
    """What `rabta dev` runs: gunicorn (with `app.gunicorn_conf`: one access line per request from the app, no
    query strings, no shared control socket), the workers and, when the sandbox wallet is offered, the sandbox
    wallet (on `wallet_url`, default SANDBOX_WALLET_URL)."""
    gunicorn = [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--workers", "2", "--threads", "4",
                "--config", "python:app.gunicorn_conf"]
    web = DevProcess("web", [*gunicorn, "app.wsgi:app"], f"http://{_local(host)}:{port}",
                     ready_url=f"http://{_local(host)}:{port}/readyz", restart=False)
    processes = [web]
    processes += [DevProcess(f"worker-{i + 1}", [*RABTA, "worker"], "queues: all", is_worker=True)
                  for i in range(workers)]
    if "sandbox" in settings.payment_wallets:
        processes.append(_sandbox_wallet(settings, wallet_url or settings.SANDBOX_WALLET_URL))
    return processes


def _sandbox_wallet(settings: Settings, wallet_url: str) -> DevProcess:
    """The sandbox wallet listens on `wallet_url`, calls back the web app and keeps its charges in instance/."""
    where = urlsplit(wallet_url)
    callback = settings.PUBLIC_BASE_URL.rstrip("/") + "/payments/callbacks/sandbox"
    env = {"SANDBOX_WALLET_SECRET": settings.SANDBOX_WALLET_SECRET, "SANDBOX_WALLET_CALLBACK_URL": callback}
    argv = [sys.executable, "-m", "sandbox_wallet", "--host", where.hostname or "127.0.0.1",
            "--port", str(where.port or DEFAULT_WALLET_PORT),
            "--db", str(settings.INSTANCE_PATH.resolve() / WALLET_DB)]
    return DevProcess("sandbox", argv, f"{wallet_url} -> {callback}", env=env, ready_url=f"{wallet_url}/healthz")


def _local(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((_local(host), port))
        except OSError:
            return False
    return True


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((_local(host), 0))
        return int(sock.getsockname()[1])


def choose_wallet_url(settings: Settings, wallet_port: int | None) -> str:
    """--wallet-port, else SANDBOX_WALLET_URL when set, else 8100, else (8100 taken) any free port."""
    if wallet_port is not None:
        if not port_is_free("127.0.0.1", wallet_port):
            raise ConfigurationError(f"--wallet-port {wallet_port} is in use; pick another or leave it out")
        return f"http://127.0.0.1:{wallet_port}"
    if "SANDBOX_WALLET_URL" in settings.model_fields_set:
        where = urlsplit(settings.SANDBOX_WALLET_URL)
        if not port_is_free(where.hostname or "127.0.0.1", where.port or 80):
            raise ConfigurationError(f"SANDBOX_WALLET_URL={settings.SANDBOX_WALLET_URL} is in use; unset it "
                                     "(a free port is picked) or use --wallet-port")
        return settings.SANDBOX_WALLET_URL.rstrip("/")
    port = DEFAULT_WALLET_PORT if port_is_free("127.0.0.1", DEFAULT_WALLET_PORT) else _free_port("127.0.0.1")
    return f"http://127.0.0.1:{port}"


def _command(name: str) -> str:
    """How the person at this terminal runs `rabta` (`.venv/bin/rabta` after `make dev`)."""
    script = Path(sys.executable).parent / name
    try:
        return shlex.quote(str(script.relative_to(Path.cwd())))
    except ValueError:
        return name


def banner(web_url: str, settings: Settings) -> list[str]:
    rabta = _command("rabta")
    lines = ["Rabta is running. Open in a browser:", f"  {'home':<20} {web_url}/"]
    lines += [f"  {page.title_en:<20} {web_url}{page.path}" for page in PAGES]
    lines += ["Try (in another terminal):",
              f"  {rabta} ussd simulate --url {web_url} +923001234567",
              f"  curl -d 'from=+923001234567&to=8012&text=HELP&id=try-1&date=now' {web_url}/sms/africastalking",
              f"  curl -s {web_url}/api/v1/services?agency=PSCA",
              f"  {rabta} outbox tail",
              "Press Ctrl-C to stop."]
    return lines


@click.command("dev")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=None, help="Web port (default: $PORT or 8000).")
@click.option("--wallet-port", type=int, default=None,
              help="Sandbox wallet port (default: $SANDBOX_WALLET_URL's, else 8100, else a free one).")
@click.option("--workers", default=1, show_default=True, help="RQ worker processes.")
def dev_command(host: str, port: int | None, wallet_port: int | None, workers: int) -> None:
    """Run everything: web server, RQ worker(s), embedded Redis, sandbox wallet."""
    from app import db, redis_conn
    from app.migrate import upgrade

    port = port or Settings().PORT
    if not port_is_free(host, port):
        raise ConfigurationError(f"PORT={port}: the port is in use (another Rabta?); stop that, or run on another "
                                 "port: PORT=9000 make dev, or rabta dev --port 9000")
    settings = Settings(PORT=port)  # the public URL follows the port; the children get PORT too
    instance = settings.INSTANCE_PATH.resolve()
    env = {**os.environ, "PORT": str(port), "INSTANCE_PATH": str(instance)}
    if settings.REDIS_SENTINELS:
        click.echo(f"  {'redis':<9} sentinels {settings.REDIS_SENTINELS}")
    elif settings.REDIS_URL:
        redis_conn.check_redis(settings.REDIS_URL)
    else:
        redis_conn.claim_embedded_server(instance)  # ours until we stop, even if a CLI command started it
        env["REDIS_URL"] = redis_conn.embedded_url(instance)
    if not settings.REDIS_SENTINELS:
        click.echo(f"  {'redis':<9} {'embedded, ' if not settings.REDIS_URL else ''}{env['REDIS_URL']}")
    db.check_database(settings.database_url)
    upgrade(settings.database_url)
    click.echo(f"  {'database':<9} {settings.database_url}")
    wallet_url = choose_wallet_url(settings, wallet_port)
    env["SANDBOX_WALLET_URL"] = wallet_url
    def connect_redis() -> Any:
        return redis_conn.connect(env.get("REDIS_URL"), instance, sentinel=redis_conn.sentinel_config(settings))

    supervisor = Supervisor(planned_processes(settings, host, port, workers, wallet_url), env, connect_redis)
    exit_code = supervisor.run(lambda: banner(f"http://{_local(host)}:{port}", settings))
    if not settings.REDIS_URL:
        redis_conn.stop_embedded_server(instance)
    click.echo("stopped.")
    sys.exit(exit_code)
