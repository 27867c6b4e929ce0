"""`rabta agency create-key|revoke-key|list-keys`: agency API keys for operators."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.auth.agency_keys import create_key, list_keys, revoke_key
from app.errors import DomainError
from app.runtime import current


@click.group("agency")
def agency_group() -> None:
    """Agency API keys."""


@agency_group.command("create-key")
@click.argument("agency_code")
@click.option("--label", default="", help="A note for whoever reads list-keys later.")
@with_appcontext
def create_key_command(agency_code: str, label: str) -> None:
    """Create an API key for AGENCY_CODE and print it (it is shown this once)."""
    try:
        with current().db.transaction() as session:
            issued = create_key(session=session, agency_code=agency_code, label=label)
    except DomainError as error:
        raise click.ClickException(error.detail) from error
    click.echo(f"key id: {issued.key_id} (agency {issued.agency_code})", err=True)
    click.echo("Store this key now; it cannot be shown again:", err=True)
    click.echo(issued.secret_key)


@agency_group.command("revoke-key")
@click.argument("key_id")
@with_appcontext
def revoke_key_command(key_id: str) -> None:
    """Revoke the key with KEY_ID (see list-keys); it stops working at once."""
    try:
        with current().db.transaction() as session:
            key = revoke_key(session=session, key_id=key_id)
    except DomainError as error:
        raise click.ClickException(error.detail) from error
    click.echo(f"key {key.key_id} revoked")


@agency_group.command("list-keys")
@click.argument("agency_code", required=False)
@with_appcontext
def list_keys_command(agency_code: str | None) -> None:
    """List API keys (never the secrets), optionally for one agency."""
    with current().db.session() as session:
        rows = list_keys(session=session, agency_code=agency_code)
    if not rows:
        click.echo("no keys")
    for key, agency in rows:
        state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
        click.echo(f"{key.key_id}  {agency.code:<8} {state:<24} created {key.created_at:%Y-%m-%d %H:%M}  {key.label}")
