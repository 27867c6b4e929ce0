"""`rabta officers create|list|disable`: console accounts for operators."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.audit.service import record
from app.errors import DomainError
from app.officers.service import create_officer, disable_officer, list_officers
from app.officers_scope import ROLES
from app.runtime import current


@click.group("officers")
def officers_group() -> None:
    """Agency console accounts."""


@officers_group.command("create")
@click.argument("email")
@click.option("--agency", "agency_code", default=None, help="Agency code (not for admins).")
@click.option("--role", type=click.Choice(ROLES), default="officer", show_default=True)
@click.option("--totp/--no-totp", default=False, help="Give the account a TOTP secret now (printed once).")
@with_appcontext
def create_command(email: str, agency_code: str | None, role: str, totp: bool) -> None:
    """Create a console account and print its one-time password (shown this once)."""
    try:
        with current().db.transaction() as session:
            created = create_officer(session=session, email=email, role=role, agency_code=agency_code,
                                     with_totp=totp)
            record(session=session, actor="cli", action="officer.created", subject=created.officer.email,
                   agency_id=created.officer.agency_id, detail=f"role {role}")
    except DomainError as error:
        raise click.ClickException(error.detail) from error
    click.echo(f"officer {created.officer.email} ({role}) created; sign in at /console/login", err=True)
    click.echo("One-time password (change it after signing in; it cannot be shown again):", err=True)
    click.echo(created.password)
    if created.officer.totp_secret:
        click.echo(f"TOTP secret for the authenticator app: {created.officer.totp_secret}", err=True)


@officers_group.command("list")
@with_appcontext
def list_command() -> None:
    """List console accounts."""
    with current().db.session() as session:
        rows = list_officers(session=session)
    if not rows:
        click.echo("no officers")
    for officer, agency in rows:
        state = "disabled" if officer.disabled_at else "active"
        click.echo(f"{officer.email:<32} {officer.role:<10} {(agency.code if agency else '-'):<8} {state}")


@officers_group.command("disable")
@click.argument("email")
@with_appcontext
def disable_command(email: str) -> None:
    """Disable an account; a live session of it is refused at its next request."""
    try:
        with current().db.transaction() as session:
            officer = disable_officer(session=session, email=email)
            record(session=session, actor="cli", action="officer.disabled", subject=officer.email,
                   agency_id=officer.agency_id)
    except DomainError as error:
        raise click.ClickException(error.detail) from error
    click.echo(f"officer {officer.email} disabled")
