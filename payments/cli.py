"""`rabta payments reconcile` and `rabta payments refunds`."""

from __future__ import annotations

import json
from typing import Any

import click
from flask.cli import with_appcontext

from app.citizens.identity import mask_msisdn
from app.messages.formatting import format_money
from app.runtime import current
from payments.service import refund_cases


@click.group("payments")
def payments_group() -> None:
    """Payments: reconciliation and refund cases."""


@payments_group.command("reconcile")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@with_appcontext
def reconcile_command(as_json: bool) -> None:
    """Check every open payment with its provider now; print a summary."""
    from payments.reconciliation import reconcile

    summary = reconcile(current()).as_dict()
    if as_json:
        click.echo(json.dumps(summary))
        return
    for key, value in summary.items():
        if key != "outcomes":
            click.echo(f"{key:<14} {value}")


@payments_group.command("refunds")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@with_appcontext
def refunds_command(as_json: bool) -> None:
    """List refund cases: money that arrived for a bill already settled or after its payment expired."""
    with current().db.transaction(immediate=False) as session:
        rows = refund_cases(session=session)
        cases: list[dict[str, Any]] = [
            {"reference": p.reference, "psid": b.psid, "amount": p.amount, "currency": p.currency,
                  "rail": p.rail, "provider": p.provider, "provider_reference": p.provider_reference,
                  "payer": mask_msisdn(p.msisdn), "status": p.status, "reason": p.failure_reason,
                  "since": p.updated_at.isoformat()} for p, b in rows]
    if not cases:
        click.echo("no refund cases")
    for case in cases:
        if as_json:
            click.echo(json.dumps(case))
        else:
            click.echo(f"{case['reference']}  PSID {case['psid']}  {format_money(case['amount'], case['currency'])}"
                       f"  {case['provider']}:{case['provider_reference']}  payer {case['payer']}"
                       f"  {case['status']}  since {case['since'][:19]}")
