"""`rabta identity pending|approve|reject`: the operator's view of CNIC links held for an officer (the console
calls the same functions, `app.identity.service`)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.citizens.identity import mask_cnic, mask_msisdn
from app.citizens.models import Citizen
from app.errors import DomainError
from app.identity import service
from app.runtime import current


@click.group("identity")
def identity_group() -> None:
    """CNIC links waiting for an officer's decision."""


@identity_group.command("pending")
@click.option("--limit", default=50, show_default=True)
@with_appcontext
def pending(limit: int) -> None:
    """List the links held because the identity port could not confirm them (masked)."""
    with current().db.session() as session:
        links = service.pending_links(session=session, limit=limit)
        if not links:
            click.echo("no pending CNIC links")
        for link in links:
            citizen = session.get(Citizen, link.citizen_id)
            number = mask_msisdn(citizen.msisdn) if citizen else "?"
            click.echo(f"{link.id}\t{number}\t{mask_cnic(link.cnic)}\t{link.answer}\t{link.created_at:%Y-%m-%d %H:%M}")


@identity_group.command("approve")
@click.argument("link_id", type=int)
@click.option("--by", "decided_by", required=True, help="Who saw the proof (an officer's e-mail).")
@with_appcontext
def approve(link_id: int, decided_by: str) -> None:
    """Make the link: the officer saw proof the number belongs to the CNIC's holder."""
    try:
        with current().db.transaction() as session:
            service.approve_pending_link(session=session, link_id=link_id, decided_by=decided_by)
    except DomainError as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(f"link {link_id} approved; the citizen is told by SMS")


@identity_group.command("reject")
@click.argument("link_id", type=int)
@click.option("--by", "decided_by", required=True, help="Who decided (an officer's e-mail).")
@with_appcontext
def reject(link_id: int, decided_by: str) -> None:
    """Refuse the link; the citizen is told by SMS to visit a service centre."""
    try:
        with current().db.transaction() as session:
            service.reject_pending_link(session=session, link_id=link_id, decided_by=decided_by)
    except DomainError as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(f"link {link_id} rejected; the citizen is told by SMS")
