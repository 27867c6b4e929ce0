"""The `rabta` command: Rabta's own commands over `create_app`, with Flask's generic options hidden.

Configuration mistakes (a bad DATABASE_URL, an unreachable Redis, a wrong PORT) end the
command with one line naming the setting and what to do, never a traceback; and an
embedded Redis a command started is stopped when it exits.
"""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any, NoReturn

import click
from flask import cli as flask_cli
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext

from app import create_app
from app.devrunner import dev_command
from app.identity.cli import identity_group
from app.runtime import current
from app.settings import ConfigurationError

FLASK_GROUP_OPTIONS = (flask_cli._env_file_option, flask_cli._app_option, flask_cli._debug_option)


class RabtaGroup(FlaskGroup):
    """Flask's CLI group (it loads the app for the channel commands) without Flask's own options and
    `run`/`shell`: `rabta dev` runs the system, settings come from the environment."""

    def __init__(self, **extra: Any) -> None:
        super().__init__(add_default_commands=False, add_version_option=False, load_dotenv=False, **extra)
        self.params = [p for p in self.params if p not in FLASK_GROUP_OPTIONS]
        self.add_command(flask_cli.routes_command)

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(click.Group.list_commands(self, ctx))
        try:  # the channel groups (agency, payments, ussd) come with the app
            names.update(ctx.ensure_object(ScriptInfo).load_app().cli.list_commands(ctx))
        except ConfigurationError as exc:
            click.echo(f"rabta: {exc}", err=True)
        return sorted(names)


@click.group(cls=RabtaGroup, create_app=lambda: create_app(),
             epilog="Settings come from the environment; .env.example lists them all with their defaults. "
                    "First run: rabta db upgrade && rabta seed --demo && rabta dev (or just: make dev).")
def cli() -> None:
    """Rabta: government services over app, USSD and SMS."""


@cli.group("db")
def db_group() -> None:
    """Database schema migrations."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from app.db import check_database
    from app.migrate import upgrade

    check_database(current().settings.database_url)
    upgrade(current().settings.database_url, revision)
    click.echo(f"database at {revision}")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION."""
    from app.migrate import downgrade

    downgrade(current().settings.database_url, revision)


@cli.command("seed")
@click.option("--demo", is_flag=True, help="Create the demo agencies, citizens, bills and applications.")
@click.option("--reset", is_flag=True, help="Also put every demo row back to its documented state (bills, their "
                                            "payments, applications, PINs and lockouts); other data is kept.")
@click.option("--volume", type=click.IntRange(min=1), default=None, metavar="N",
              help="Synthetic history for load tests: N payments over 90 days with their bills, citizens, "
                   "applications, messages and USSD sessions (never touches the demo citizens).")
@with_appcontext
def seed(demo: bool, reset: bool, volume: int | None) -> None:
    """Load the demo data (safe to run again: existing rows are kept unless --reset), or --volume N."""
    from app.seed import reset_demo, reset_demo_limits, seed_demo

    if not demo and volume is None:
        raise click.UsageError("say what to seed: --demo (with --reset to restore it) or --volume N")
    runtime = current()
    if volume is not None:
        _seed_volume(volume)
        if not demo:
            return
    with runtime.db.transaction() as session:
        if reset:
            done = reset_demo(session=session, region=runtime.settings.DEFAULT_REGION)
        else:
            done = seed_demo(session=session, region=runtime.settings.DEFAULT_REGION)
    if reset:
        reset_demo_limits(runtime.redis)
        click.echo(f"demo data reset (payments of demo bills removed: {done['payments_removed']})")
    else:
        click.echo(f"demo data ready (new bills: {done['bills']}, new applications: {done['requests']})")


def _seed_volume(payments: int) -> None:
    import time

    from analytics.volume import seed_volume

    began = time.perf_counter()
    counts = seed_volume(current().db, payments, progress=click.echo)
    click.echo(f"synthetic history written in {time.perf_counter() - began:.1f}s: "
               + ", ".join(f"{table} {count:,}" for table, count in counts.items()))
    click.echo("run `rabta analytics refresh` to roll it up")


@cli.command("worker")
@click.option("--queues", "-q", multiple=True, help="Queues to listen on (default: all).")
@click.option("--burst", is_flag=True, help="Exit once the queues are empty.")
@with_appcontext
def worker(queues: tuple[str, ...], burst: bool) -> None:
    """Run an RQ worker (with the scheduler and the periodic jobs)."""
    from app.scheduler import start_ticker
    from app.worker import build_worker, warm_up

    _children_die_with_this_process()
    runtime = current()
    warm_up(runtime)
    rq_worker = build_worker(runtime, queues or None)
    stop = threading.Event()
    if not burst:
        start_ticker(runtime, stop)
    try:
        # RQ's own lines only when debugging: our worker logs one line per job (app.worker).
        rq_level = "DEBUG" if runtime.settings.LOG_LEVEL == "DEBUG" else "WARNING"
        rq_worker.work(with_scheduler=True, burst=burst, logging_level=rq_level)
    finally:
        stop.set()


def _children_die_with_this_process() -> None:
    """RQ forks its scheduler; a worker killed with SIGKILL would leave that child running against Redis
    for ever. On Linux, ask the kernel to end every child we fork when we die."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import os

    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1
    os.register_at_fork(after_in_child=lambda: libc.prctl(pr_set_pdeathsig, signal.SIGTERM))


@cli.group("outbox")
def outbox_group() -> None:
    """Texts Rabta sent: to whom, what kind, delivery status."""


@outbox_group.command("tail")
@click.option("--number", "-n", help="Only texts to this number (shown unmasked).")
@click.option("--kind", help="Only this kind (otp, pay_code, reply, payment_receipt, ...).")
@click.option("--limit", default=20, show_default=True, help="How many of the newest texts.")
@click.option("--code", "code_only", is_flag=True,
              help="Print only the newest OTP/PAY code sent to --number (RABTA_ENV=development only).")
@with_appcontext
def outbox_tail(number: str | None, kind: str | None, limit: int, code_only: bool) -> None:
    """Show the newest texts, oldest first. Codes are shown in clear only in development."""
    from app.outbox import newest_code, recent
    from sms.providers.console import shows_codes

    runtime = current()
    if code_only and not (number and shows_codes(runtime.settings)):
        raise click.UsageError("--code needs --number and RABTA_ENV=development (codes are never shown elsewhere)")
    with runtime.db.session() as session:
        lines = recent(session=session, settings=runtime.settings, number=number, kind=kind, limit=limit)
    if code_only:
        code = newest_code(lines)
        if code is None:
            raise click.ClickException(f"no code has been sent to {number} yet")
        click.echo(code)
        return
    if not lines:
        click.echo("no texts yet")
    for line in lines:
        click.echo(line.render())


cli.add_command(dev_command)
cli.add_command(identity_group)


def _fail(message: str) -> NoReturn:
    click.echo(f"rabta: {message}", err=True)
    sys.exit(2)


def main() -> None:
    from app import redis_conn

    # SIGTERM ends a command like Ctrl-C does, so the cleanup below still runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        cli(prog_name="rabta")
    except ConfigurationError as exc:
        _fail(str(exc))
    except Exception as exc:
        _fail_on_connection_error(exc)
        raise
    finally:
        redis_conn.release_owned_servers()


def _fail_on_connection_error(exc: Exception) -> None:
    """A database or Redis that cannot be reached mid-command is a configuration problem too."""
    import redis
    from sqlalchemy.exc import OperationalError

    from app import db, redis_conn
    from app.settings import Settings

    if isinstance(exc, OperationalError):
        _fail(db.describe_connection_error(Settings().database_url, exc))
    if isinstance(exc, redis.ConnectionError):
        _fail(redis_conn.describe_connection_error(Settings().REDIS_URL, exc))
