"""CNIC links the identity port could not confirm are decided by an admin in the console: listed masked,
approved or rejected once, the citizen told by SMS, the decision audited; nobody else may decide."""

from __future__ import annotations

from sqlmodel import Session, select

from app.audit.models import AuditEntry
from app.citizens.identity import mask_cnic, mask_msisdn
from app.citizens.models import Citizen
from app.identity.models import APPROVED, REJECTED, PendingCnicLink
from app.identity.sandbox import SandboxIdentity
from app.identity.service import link_cnic
from app.notifications.models import Notification
from tests.console.conftest import Console
from tests.factories import make_citizen

CLAIMANT = "+923219876543"
UNREGISTERED = "4210112345678"  # the sandbox cannot say (its rule 3): held for an officer


def _held_link(session: Session) -> PendingCnicLink:
    citizen = make_citizen(session, msisdn=CLAIMANT)
    link_cnic(session=session, citizen=citizen, cnic=UNREGISTERED, identity=SandboxIdentity())
    session.commit()
    return session.exec(select(PendingCnicLink)).one()


def test_an_admin_sees_the_held_link_masked_and_approving_it_links_the_cnic_and_tells_the_citizen(
        admin: Console, session: Session) -> None:
    link = _held_link(session)
    page = admin.get("/console/identity").get_data(as_text=True)
    assert "CNIC links to check" in page and UNREGISTERED not in page and CLAIMANT not in page
    assert mask_cnic(UNREGISTERED) in page and mask_msisdn(CLAIMANT) in page

    answer = admin.post(f"/console/identity/{link.id}/approve", {}, token_from="/console/identity")
    assert answer.status_code == 303
    again = admin.post(f"/console/identity/{link.id}/approve", {}, token_from="/console/identity")
    assert again.status_code == 404  # decided once: a second click changes nothing

    session.rollback()  # a fresh snapshot: the console committed in its own session
    citizen = session.exec(select(Citizen).where(Citizen.msisdn == CLAIMANT)).one()
    assert citizen.cnic == UNREGISTERED and citizen.cnic_verified_at is not None
    assert session.get(PendingCnicLink, link.id).status == APPROVED  # type: ignore[union-attr]
    told = session.exec(select(Notification).where(Notification.citizen_id == citizen.id,
                                                   Notification.kind == "cnic_link")).all()
    assert len(told) == 1
    [entry] = session.exec(select(AuditEntry).where(AuditEntry.action == "cnic_link.approved")).all()
    assert entry.actor == "admin@rabta.demo"


def test_rejecting_leaves_the_cnic_unlinked(admin: Console, session: Session) -> None:
    link = _held_link(session)
    assert admin.post(f"/console/identity/{link.id}/reject", {}, token_from="/console/identity").status_code == 303
    session.rollback()  # a fresh snapshot: the console committed in its own session
    assert session.exec(select(Citizen).where(Citizen.msisdn == CLAIMANT)).one().cnic is None
    assert session.get(PendingCnicLink, link.id).status == REJECTED  # type: ignore[union-attr]


def test_officers_and_supervisors_may_not_decide_who_owns_a_cnic(
        dc_officer: Console, psca_supervisor: Console, session: Session) -> None:
    link = _held_link(session)
    for someone in (dc_officer, psca_supervisor):
        assert someone.get("/console/identity").status_code in (403, 404)
        answer = someone.post(f"/console/identity/{link.id}/approve", {})
        assert answer.status_code in (403, 404)
    session.rollback()  # a fresh snapshot: the console committed in its own session
    assert session.get(PendingCnicLink, link.id).status == "pending"  # type: ignore[union-attr]
