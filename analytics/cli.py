"""`rabta analytics refresh`: bring the roll-ups up to date now (the worker also runs it periodically)."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from analytics.cache import warm
from analytics.refresh import refresh
from analytics.ussd_log import drain
from app.runtime import current


@click.group("analytics")
def analytics_cli() -> None:
    """Roll-ups for the dashboards and the public performance page."""


@analytics_cli.command("refresh")
@with_appcontext
def refresh_command() -> None:
    """Move the USSD log into its tables, recompute every roll-up hour touched since the last run, and warm
    the dashboards."""
    runtime = current()
    began = time.perf_counter()
    moved = drain(runtime.db, runtime.redis, max_batches=10_000)
    timings = refresh(runtime.db, runtime.settings.TIMEZONE)
    click.echo(f"USSD log entries moved: {moved}")
    for name, seconds in timings.items():
        click.echo(f"  {name:<20} {seconds:7.2f}s")
    click.echo(f"roll-ups up to date in {time.perf_counter() - began:.1f}s")
    began = time.perf_counter()
    warmed = warm(runtime)
    click.echo(f"dashboards warmed: {warmed} in {time.perf_counter() - began:.1f}s")
