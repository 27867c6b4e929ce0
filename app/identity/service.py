"""Linking a number to a CNIC needs proof: the identity port's `verified`, or an officer's approval.

Without a positive answer the link is refused (`mismatch`) or held as a `PendingCnicLink` for an officer
(`unknown`). A CNIC already linked to another number moves only on that proof, never on a claim, so a
number cannot take over the bills an agency issues to someone else's CNIC. The console calls
`pending_links`, `approve_pending_link` and `reject_pending_link`; so does `rabta identity`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from sqlmodel import Session, col, select

from app.citizens.cnic_vault import lookup_hash
from app.citizens.identity import mask_cnic, normalise_cnic
from app.citizens.models import Citizen
from app.citizens.service import find_citizen_by_cnic
from app.errors import IdentityNotVerified, NotFound, ValidationFailed
from app.identity.models import APPROVED, PENDING, REJECTED, PendingCnicLink
from app.identity.port import MISMATCH, VERIFIED, IdentityPort
from app.notifications.service import queue_notification
from app.timeutil import utcnow

log = logging.getLogger("rabta.identity")


@dataclass(frozen=True)
class LinkResult:
    outcome: Literal["linked", "pending"]
    citizen: Citizen
    pending: PendingCnicLink | None = None


def link_cnic(*, session: Session, citizen: Citizen, cnic: str, identity: IdentityPort) -> LinkResult:
    """Link `citizen`'s number to `cnic` on proof; hold it for an officer when the port cannot say; raise
    IdentityNotVerified when the port says the number belongs to someone else."""
    digits = normalise_cnic(cnic)
    if citizen.cnic and citizen.cnic != digits:
        raise ValidationFailed("A CNIC, once set, cannot be changed here.", field_errors={"cnic": "already set"})
    if citizen.cnic == digits and citizen.cnic_verified_at is not None:
        return LinkResult("linked", citizen)
    answer = identity.verify(citizen.msisdn, digits)
    if answer == VERIFIED:
        _attach(session, citizen, digits, proof=f"identity:{identity.name}")
        return LinkResult("linked", citizen)
    if answer == MISMATCH:
        log.info("CNIC link refused: %s is not registered to citizen %s's number", mask_cnic(digits), citizen.id)
        raise IdentityNotVerified("That CNIC is not registered to this number.")
    return LinkResult("pending", citizen, _hold(session, citizen, digits, answer))


def _attach(session: Session, citizen: Citizen, digits: str, *, proof: str) -> None:
    holder = find_citizen_by_cnic(session=session, cnic=digits, verified_only=False)
    if holder is not None and holder.id != citizen.id:
        # Proven ownership moves the CNIC: the previous number keeps its account but no longer its bills.
        holder.cnic, holder.cnic_verified_at, holder.updated_at = None, None, utcnow()
        session.add(holder)
        session.flush()
        log.info("CNIC %s moved from citizen %s to %s on %s", mask_cnic(digits), holder.id, citizen.id, proof)
    citizen.cnic, citizen.cnic_verified_at, citizen.updated_at = digits, utcnow(), utcnow()
    session.add(citizen)
    session.flush()


def _hold(session: Session, citizen: Citizen, digits: str, answer: str) -> PendingCnicLink:
    existing = session.exec(select(PendingCnicLink).where(
        PendingCnicLink.citizen_id == citizen.id, PendingCnicLink.cnic_hash == lookup_hash(digits),  # sealed at rest
        PendingCnicLink.status == PENDING)).first()
    if existing is not None:
        return existing
    pending = PendingCnicLink(citizen_id=citizen.id or 0, cnic=digits, answer=answer)
    session.add(pending)
    session.flush()
    log.info("CNIC link %s held for an officer: citizen %s, %s", pending.id, citizen.id, mask_cnic(digits))
    return pending


def pending_links(*, session: Session, limit: int = 100) -> list[PendingCnicLink]:
    query = (select(PendingCnicLink).where(PendingCnicLink.status == PENDING)
             .order_by(col(PendingCnicLink.id)).limit(limit))
    return list(session.exec(query))


def pending_links_with_numbers(*, session: Session, limit: int = 100) -> list[tuple[PendingCnicLink, str | None]]:
    """The held links with the number that asked for each (what an officer deciding needs to see)."""
    links = pending_links(session=session, limit=limit)
    numbers = {c.id: c.msisdn for c in session.exec(select(Citizen).where(
        col(Citizen.id).in_([link.citizen_id for link in links])))} if links else {}
    return [(link, numbers.get(link.citizen_id)) for link in links]


def _pending(session: Session, link_id: int) -> PendingCnicLink:
    link = session.get(PendingCnicLink, link_id, with_for_update=True)
    if link is None or link.status != PENDING:
        raise NotFound("No such pending CNIC link.")
    return link


def approve_pending_link(*, session: Session, link_id: int, decided_by: str) -> Citizen:
    """An officer saw proof (documents at a counter): the link is made, moving the CNIC if another number
    held it."""
    link = _pending(session, link_id)
    citizen = session.get(Citizen, link.citizen_id)
    if citizen is None:
        raise NotFound("The citizen of this link is gone.")
    if citizen.cnic and citizen.cnic != link.cnic:
        raise ValidationFailed("This number is already linked to another CNIC.", field_errors={"cnic": "already set"})
    _attach(session, citizen, link.cnic, proof=f"officer:{decided_by}")
    _decide(session, link, APPROVED, decided_by)
    _tell(session, citizen, "notify.cnic_link_approved", link.cnic)
    return citizen


def reject_pending_link(*, session: Session, link_id: int, decided_by: str) -> PendingCnicLink:
    link = _pending(session, link_id)
    _decide(session, link, REJECTED, decided_by)
    citizen = session.get(Citizen, link.citizen_id)
    if citizen is not None:
        _tell(session, citizen, "notify.cnic_link_rejected", link.cnic)
    return link


def _tell(session: Session, citizen: Citizen, template: str, cnic: str) -> None:
    """The USSD screen that held the link promised an SMS with the decision."""
    queue_notification(session=session, kind="cnic_link", template=template, params={"cnic": mask_cnic(cnic)},
                       citizen=citizen)


def _decide(session: Session, link: PendingCnicLink, status: str, decided_by: str) -> None:
    link.status, link.decided_by, link.decided_at = status, decided_by[:120], utcnow()
    session.add(link)
    session.flush()
    log.info("CNIC link %s %s by %s", link.id, status, decided_by)
