"""`rabta providers log [--errors] [--provider NAME] [--since 1h] ...`."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import click
from flask.cli import with_appcontext

from app.providerlog import service
from app.providerlog.jobs import flush_buffer
from app.providerlog.models import ProviderLogEntry
from app.runtime import current
from app.timeutil import utcnow

_SPAN = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


@click.group("providers")
def providers_group() -> None:
    """Provider HTTP traffic: what we sent to SMS and wallet providers and what their webhooks sent us."""


@providers_group.command("log")
@click.option("--errors", is_flag=True, help="Only failed exchanges (HTTP 4xx/5xx, timeouts, refused).")
@click.option("--provider", help="twilio, africastalking, sandbox, 1bill, ...")
@click.option("--direction", type=click.Choice(["in", "out"]), help="in: webhooks; out: our calls.")
@click.option("--since", help="Only the last span, e.g. 30m, 6h, 2d.")
@click.option("--request-id", help="Only exchanges of one request (or of the jobs it enqueued).")
@click.option("--limit", default=50, show_default=True)
@click.option("--bodies", is_flag=True, help="Show the (redacted) request and response bodies.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@with_appcontext
def log_command(errors: bool, provider: str | None, direction: str | None, since: str | None,
                request_id: str | None, limit: int, bodies: bool, as_json: bool) -> None:
    """Newest first. Entries reach the table within seconds (the worker flushes them); this flushes first."""
    runtime = current()
    flush_buffer()
    with runtime.db.transaction(immediate=False) as session:
        rows = service.entries(session=session, errors_only=errors, provider=provider, direction=direction,
                               since=_since(since), request_id=request_id, limit=limit)
    for row in rows:
        click.echo(json.dumps(_as_dict(row)) if as_json else _line(row, bodies))


def _since(span: str | None) -> datetime | None:
    if not span:
        return None
    match = _SPAN.match(span.strip())
    if not match:
        raise click.BadParameter("use a number and s, m, h or d, e.g. 30m", param_hint="--since")
    return utcnow() - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def _as_dict(row: ProviderLogEntry) -> dict[str, object]:
    data = row.model_dump()
    data["created_at"] = row.created_at.isoformat()
    return data


def _line(row: ProviderLogEntry, bodies: bool) -> str:
    status = str(row.status) if row.status is not None else (row.error or "error")
    line = (f"{row.created_at:%Y-%m-%d %H:%M:%S} {row.direction:<3} {row.provider:<14} {row.method:<6} "
            f"{status:<5} {row.elapsed_ms:>6} ms  {row.path}  [{row.request_id or '-'}]")
    if bodies:
        line += f"\n    request:  {row.request_body}\n    response: {row.response_body}"
    return line
