"""The `rabta` command: Flask's CLI over `create_app`, plus our own commands."""

from __future__ import annotations

import sys
import threading

import click
from flask.cli import FlaskGroup, with_appcontext

from app import create_app
from app.devrunner import dev_command
from app.runtime import current
from app.settings import ConfigurationError


@click.group(cls=FlaskGroup, create_app=lambda: create_app())
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
    from app.migrate import upgrade

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
@click.option("--demo", is_flag=True, required=True, help="Create the demo agencies, citizens, bills and applications.")
@with_appcontext
def seed(demo: bool) -> None:
    """Load demo data (safe to run again: existing rows are kept)."""
    from app.seed import seed_demo

    runtime = current()
    with runtime.db.transaction() as session:
        created = seed_demo(session=session, region=runtime.settings.DEFAULT_REGION)
    click.echo(f"demo data ready (new bills: {created['bills']}, new applications: {created['requests']})")


@cli.command("worker")
@click.option("--queues", "-q", multiple=True, help="Queues to listen on (default: all).")
@click.option("--burst", is_flag=True, help="Exit once the queues are empty.")
@with_appcontext
def worker(queues: tuple[str, ...], burst: bool) -> None:
    """Run an RQ worker (with the scheduler) inside the app context."""
    from app.scheduler import start_ticker
    from app.worker import build_worker

    runtime = current()
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


cli.add_command(dev_command)


def main() -> None:
    try:
        cli(prog_name="rabta")
    except ConfigurationError as exc:  # one readable message (e.g. the production guard rails), no traceback
        click.echo(str(exc), err=True)
        sys.exit(2)
