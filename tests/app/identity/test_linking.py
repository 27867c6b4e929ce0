"""Linking a CNIC needs proof (issue 14, defect 2): the identity port's `verified`, or an officer's approval.
Without it the link is refused or held; a claimed CNIC's bills are never announced to the claimant; a CNIC
already linked moves only with proof."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from click.testing import Result
from flask import Flask
from sqlmodel import Session, select

from app.bills.issuing import issue_agency_bill
from app.catalogue.models import Agency
from app.citizens.models import Citizen
from app.citizens.service import find_citizen_by_cnic
from app.errors import IdentityNotVerified
from app.identity.models import APPROVED, PENDING, REJECTED, PendingCnicLink
from app.identity.port import MISMATCH, UNKNOWN, VERIFIED
from app.identity.sandbox import SandboxIdentity
from app.identity.service import approve_pending_link, link_cnic, pending_links, reject_pending_link
from app.notifications.models import Notification
from tests.factories import make_citizen
from tests.fixtures.ussd import UssdCall

SANDBOX = SandboxIdentity()
CLAIMANT = "+923219876543"
UNREGISTERED = "4210112345678"  # ends in 8: the sandbox cannot say (rule 3)


@pytest.mark.parametrize("msisdn, cnic, answer", [
    ("+923001234567", "3520212345672", VERIFIED),  # a seeded demo pair
    ("+923001234567", "4220176546543", MISMATCH),  # a seeded number, another CNIC
    (CLAIMANT, "3520212345672", MISMATCH),  # a seeded CNIC, another number
    (CLAIMANT, "4220176546543", VERIFIED),  # same last four digits
    (CLAIMANT, "4220176543210", MISMATCH),  # ends in 0
    (CLAIMANT, UNREGISTERED, UNKNOWN),
])
def test_the_sandbox_answers_by_its_documented_rules(msisdn: str, cnic: str, answer: str) -> None:
    assert SANDBOX.verify(msisdn, cnic) == answer


def test_sim_swap_rule() -> None:
    assert SANDBOX.sim_changed_recently("+923001237777") and not SANDBOX.sim_changed_recently("+923001234567")


def _agency(session: Session) -> Agency:
    agency = session.exec(select(Agency).where(Agency.code == "PSCA")).one()
    return agency


def _bill_to_cnic(session: Session, cnic: str):  # type: ignore[no-untyped-def]
    return issue_agency_bill(session=session, agency=_agency(session), kind="challan", description="Signal",
                             amount_within_due=100000, amount_after_due=None,
                             due_date=date.today() + timedelta(days=10), cnic=cnic, msisdn=None,
                             currency="PKR", region="PK", today=date.today())


def test_claiming_an_unregistered_cnic_over_ussd_is_held_and_its_bills_go_to_nobody(
        demo: None, session: Session, dial: Callable[..., UssdCall]) -> None:
    call = dial(CLAIMANT)
    call.send("3", "1", "42101-1234567-8", "5927")
    held = call.send("5927")
    assert "An officer will check it and SMS you." in held
    claimant = session.exec(select(Citizen).where(Citizen.msisdn == CLAIMANT)).one()
    assert claimant.cnic is None and claimant.pin_hash  # the PIN is set, the CNIC is not
    [pending] = pending_links(session=session)
    assert (pending.citizen_id, pending.cnic, pending.answer) == (claimant.id, UNREGISTERED, UNKNOWN)

    issued = _bill_to_cnic(session, UNREGISTERED)
    assert issued.citizen is None and issued.notified is False
    assert session.exec(select(Notification).where(Notification.citizen_id == claimant.id,
                                                   Notification.kind == "bill_issued")).all() == []


def test_claiming_someone_elses_cnic_over_ussd_is_refused(demo: None, session: Session,
                                                          dial: Callable[..., UssdCall]) -> None:
    call = dial(CLAIMANT)
    call.send("3", "1", "35202-1234567-2", "5927")
    assert "not registered to your SIM" in call.send("5927")
    ayesha = find_citizen_by_cnic(session=session, cnic="3520212345672")
    assert ayesha is not None
    assert ayesha.msisdn == "+923001234567"
    assert pending_links(session=session) == []


def test_an_unproven_legacy_link_is_not_told_of_bills(session: Session, demo: None) -> None:
    legacy = make_citizen(session, "+923005550001")
    legacy.cnic = UNREGISTERED  # linked before proof existed: the migration leaves it unverified
    session.add(legacy)
    session.flush()
    issued = _bill_to_cnic(session, UNREGISTERED)
    assert issued.citizen is None and not issued.notified


def test_a_linked_cnic_moves_to_another_number_only_with_proof(session: Session) -> None:
    first = make_citizen(session, "+923001116543")
    assert link_cnic(session=session, citizen=first, cnic="4220176546543", identity=SANDBOX).outcome == "linked"
    second = make_citizen(session, "+923009996543")  # same last four: the sandbox proves it
    thief = make_citizen(session, "+923009991111")
    with pytest.raises(IdentityNotVerified):
        link_cnic(session=session, citizen=thief, cnic="4220176546540", identity=SANDBOX)
    held = link_cnic(session=session, citizen=thief, cnic="4220176546543", identity=SANDBOX)
    assert held.outcome == "pending" and first.cnic == "4220176546543"  # a claim moves nothing
    assert link_cnic(session=session, citizen=second, cnic="4220176546543", identity=SANDBOX).outcome == "linked"
    session.refresh(first)
    assert (first.cnic, second.cnic) == (None, "4220176546543") and second.cnic_verified_at is not None


def test_an_officer_approves_or_rejects_a_held_link_and_the_citizen_is_told(session: Session) -> None:
    one, two = make_citizen(session, "+923001110001"), make_citizen(session, "+923001110002")
    first = link_cnic(session=session, citizen=one, cnic=UNREGISTERED, identity=SANDBOX).pending
    second = link_cnic(session=session, citizen=two, cnic="4210112345679", identity=SANDBOX).pending
    assert first is not None and second is not None
    approve_pending_link(session=session, link_id=first.id or 0, decided_by="officer@psca.gov.pk")
    reject_pending_link(session=session, link_id=second.id or 0, decided_by="officer@psca.gov.pk")
    assert (one.cnic, one.cnic_verified_at is not None, two.cnic) == (UNREGISTERED, True, None)
    assert (first.status, second.status) == (APPROVED, REJECTED)
    told = {n.citizen_id: n.body for n in session.exec(select(Notification).where(Notification.kind == "cnic_link"))}
    assert "confirmed" in told[one.id] and "service centre" in told[two.id]
    assert session.exec(select(PendingCnicLink).where(PendingCnicLink.status == PENDING)).all() == []


def test_the_cli_lists_approves_and_rejects(app: Flask, session: Session) -> None:
    citizen = make_citizen(session, "+923001110003")
    link_cnic(session=session, citizen=citizen, cnic=UNREGISTERED, identity=SANDBOX)
    session.commit()
    from app.cli import cli

    runner = app.test_cli_runner()
    listed: Result = runner.invoke(cli, ["identity", "pending"])
    assert listed.exit_code == 0 and "*****-****567-8" in listed.output and "+923001110003" not in listed.output
    link_id = listed.output.split("\t", 1)[0]
    approved = runner.invoke(cli, ["identity", "approve", link_id, "--by", "officer@psca.gov.pk"])
    assert approved.exit_code == 0 and "approved" in approved.output
    assert runner.invoke(cli, ["identity", "reject", link_id, "--by", "x"]).exit_code != 0
