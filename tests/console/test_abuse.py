"""The console under bad input and abuse, over HTTP: every refusal leaves the data as it was and says why."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlmodel import Session, col, select

from app.applications.models import ServiceRequest, StatusEvent
from app.audit.models import AuditEntry
from app.bills.models import Bill
from app.notifications.models import Notification
from app.officers.models import Officer
from tests.console.conftest import Console, csrf_token, sign_in

DOM, PSP = "DOM-2026-000001", "PSP-2026-000002"
PSCA_BILL, DC_BILL = "10000000000000001", "10000000000000005"


def status_of(session: Session, tracking: str) -> str:
    session.rollback()
    return session.exec(select(ServiceRequest.status).where(ServiceRequest.tracking_number == tracking)).one()


def moves_to(session: Session, tracking: str, status: str) -> int:
    session.rollback()
    request = session.exec(select(ServiceRequest).where(ServiceRequest.tracking_number == tracking)).one()
    return len(list(session.exec(select(StatusEvent.id).where(StatusEvent.request_id == request.id,
                                                              StatusEvent.to_status == status))))


def move(console: Console, tracking: str, to: str, expected: str = "under_review", note: str = "") -> str:
    page = f"/console/applications/{tracking}"
    answer = console.post(f"{page}/transition", {"to": to, "expected_status": expected, "note": note,
                                                  "back": page}, token_from="/console/", follow=True)
    return answer.get_data(as_text=True)


def test_an_officer_approves_and_the_citizen_is_told_and_it_is_audited(dc_officer: Console,
                                                                        session: Session) -> None:
    html = move(dc_officer, DOM, "approved", note="Documents verified")
    assert "Moved to Approved" in html
    assert status_of(session, DOM) == "approved"
    joined = select(StatusEvent).join(ServiceRequest, col(ServiceRequest.id) == col(StatusEvent.request_id))
    [event] = session.exec(joined.where(StatusEvent.to_status == "approved",
                                        ServiceRequest.tracking_number == DOM)).all()
    assert (event.actor, event.note) == ("officer@dc.demo", "Documents verified")
    notice = session.exec(select(Notification).where(Notification.kind == "status_change")).one()
    assert notice.msisdn == "+923001234567" and DOM in notice.body
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "application.transition")).one()
    assert (entry.actor, entry.subject, entry.detail) == ("officer@dc.demo", DOM, "under_review -> approved")
    assert "Documents verified" in dc_officer.get(f"/console/applications/{DOM}").get_data(as_text=True)


def test_a_missing_or_forged_csrf_token_changes_nothing(dc_officer: Console, session: Session) -> None:
    path = f"/console/applications/{DOM}/transition"
    missing = dc_officer.client.post(path, data={"to": "approved", "expected_status": "under_review"})
    forged = dc_officer.client.post(path, data={"to": "approved", "expected_status": "under_review",
                                                "csrf_token": "IjAxMjM0NTY3ODki.forged.token"})
    for answer in (missing, forged):
        assert answer.status_code == 400
        assert "The form was too old or not sent from this console" in answer.get_data(as_text=True)
    assert status_of(session, DOM) == "under_review"


def test_another_agencys_ids_are_404_in_every_url_and_form(dc_officer: Console, psca_supervisor: Console,
                                                          session: Session) -> None:
    assert dc_officer.get(f"/console/applications/{PSP}").status_code == 404
    moved = dc_officer.post(f"/console/applications/{PSP}/transition", {"to": "completed",
                                                                        "expected_status": "ready_for_collection"})
    assert moved.status_code == 404
    assert status_of(session, PSP) == "ready_for_collection"
    assert dc_officer.get(f"/console/bills/{PSCA_BILL}").status_code == 404
    assert dc_officer.post(f"/console/bills/{PSCA_BILL}/block", {"reason": "dispute"}).status_code == 404
    assert session.exec(select(Bill.status).where(Bill.psid == PSCA_BILL)).one() == "unpaid"
    assigned = psca_supervisor.post("/console/applications/assign", {"tracking": [DOM], "officer": ""})
    assert assigned.status_code == 404
    assert "belongs to another agency" in dc_officer.get(f"/console/applications/{PSP}").get_data(as_text=True)


def test_an_officer_cannot_use_supervisor_or_admin_actions(dc_officer: Console, psca_supervisor: Console,
                                                           session: Session) -> None:
    for path in ("/console/keys", "/console/officers", "/console/audit", "/console/export/audit.csv",
                 "/console/providers"):
        assert dc_officer.get(path).status_code == 403, path
    created = dc_officer.post("/console/officers", {"email": "mole@dc.demo", "role": "supervisor"})
    assert created.status_code == 403
    assert dc_officer.post("/console/keys", {"label": "mine"}).status_code == 403
    assert psca_supervisor.get("/console/providers").status_code == 403
    escalated = psca_supervisor.post("/console/officers", {"email": "boss@psca.demo", "role": "admin",
                                                           "back": "/console/officers"}, follow=True)
    assert "You cannot give that role." in escalated.get_data(as_text=True)
    assert session.exec(select(Officer).where(col(Officer.email).in_(["mole@dc.demo", "boss@psca.demo"]))).all() == []


def test_a_disabled_officers_live_session_is_refused_at_the_next_request(dc_officer: Console, admin: Console,
                                                                          session: Session) -> None:
    assert dc_officer.get("/console/").status_code == 200
    admin.post("/console/officers/disable", {"email": "officer@dc.demo"}, token_from="/console/officers")
    answer = dc_officer.get("/console/")
    assert answer.status_code == 303 and answer.headers["Location"].startswith("/console/login")
    assert sign_in(dc_officer.client, "officer@dc.demo").status_code == 401
    disabled = session.exec(select(AuditEntry).where(AuditEntry.action == "officer.disabled")).one()
    assert (disabled.actor, disabled.subject) == ("admin@rabta.demo", "officer@dc.demo")


def test_an_idle_session_ends_after_30_minutes(dc_officer: Console) -> None:
    with dc_officer.client.session_transaction() as cookie:
        cookie["seen"] = int(time.time()) - 31 * 60
    answer = dc_officer.get("/console/", follow_redirects=True)
    assert "Your session ended. Sign in again." in answer.get_data(as_text=True)


def test_five_wrong_passwords_lock_the_account_for_15_minutes(client: object, demo: None, session: Session) -> None:
    for _ in range(5):
        assert sign_in(client, "officer@dc.demo", "wrong-password-123").status_code == 401  # type: ignore[arg-type]
    assert sign_in(client, "officer@dc.demo").status_code == 401  # type: ignore[arg-type]
    officer = session.exec(select(Officer).where(Officer.email == "officer@dc.demo")).one()
    assert officer.locked_until is not None
    failed = session.exec(select(AuditEntry).where(AuditEntry.action == "sign_in.failed")).all()
    assert len(failed) == 6 and {f.actor for f in failed} == {"officer@dc.demo"}


def test_a_20_kb_note_is_refused_with_a_clear_message(dc_officer: Console, session: Session) -> None:
    html = move(dc_officer, DOM, "approved", note="x" * 20 * 1024)
    assert "A note is at most 500 characters. Nothing was changed." in html
    assert status_of(session, DOM) == "under_review"


def test_html_in_notes_and_names_is_shown_escaped(dc_officer: Console, session: Session) -> None:
    move(dc_officer, DOM, "info_requested", note="<script>alert(1)</script><b>bold</b>")
    html = dc_officer.get(f"/console/applications/{DOM}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script>alert(1)" not in html and "<b>bold</b>" not in html
    issued = dc_officer.post("/console/bills/new", {
        "kind": "fee", "description": '<img src=x onerror="alert(1)">', "amount_within_due": "150",
        "due_date": "2099-01-01", "citizen_msisdn": "03001234567", "back": "/console/bills/new"},
        token_from="/console/bills/new", follow=True)
    page = issued.get_data(as_text=True)
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page and "<img src=x" not in page


def test_a_transition_the_lifecycle_forbids_is_refused(dc_officer: Console, session: Session) -> None:
    html = move(dc_officer, DOM, "completed")
    assert "An application cannot go from under_review to completed." in html
    assert status_of(session, DOM) == "under_review" and moves_to(session, DOM, "completed") == 0


def test_a_double_submit_has_one_effect(dc_officer: Console, session: Session) -> None:
    move(dc_officer, DOM, "approved", note="once")
    html = move(dc_officer, DOM, "approved", note="once")
    assert "It is already Approved. Nothing was changed twice." in html
    assert moves_to(session, DOM, "approved") == 1
    session.rollback()
    assert len(session.exec(select(Notification).where(Notification.kind == "status_change")).all()) == 1


def test_two_officers_moving_the_same_application_at_once_one_wins(
        console_as: Callable[[str], Console], session: Session) -> None:
    first, second = console_as("officer@dc.demo"), console_as("admin@rabta.demo")
    tokens = {id(c): csrf_token(c.get(f"/console/applications/{DOM}")) for c in (first, second)}
    start, answers = threading.Barrier(2), {}

    def submit(console: Console, to: str) -> None:
        start.wait()
        answers[to] = console.client.post(f"/console/applications/{DOM}/transition", data={
            "to": to, "expected_status": "under_review", "csrf_token": tokens[id(console)],
            "back": f"/console/applications/{DOM}"}, follow_redirects=True).get_data(as_text=True)

    threads = [threading.Thread(target=submit, args=(first, "approved")),
               threading.Thread(target=submit, args=(second, "rejected"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    final = status_of(session, DOM)
    assert final in ("approved", "rejected")
    loser = "rejected" if final == "approved" else "approved"
    assert "moved this application to" in answers[loser] and "Nothing was changed" in answers[loser]
    assert moves_to(session, DOM, loser) == 0 and moves_to(session, DOM, final) == 1


def test_bulk_assign_is_for_supervisors_and_audited(console_as: Callable[[str], Console], session: Session) -> None:
    admin = console_as("admin@rabta.demo")
    dc = session.exec(select(Officer).where(Officer.email == "officer@dc.demo")).one()
    admin.post("/console/applications/assign", {"tracking": [DOM], "officer": str(dc.id), "back": "/console/"})
    session.rollback()
    assert session.exec(select(ServiceRequest.assigned_officer_id)
                        .where(ServiceRequest.tracking_number == DOM)).one() == dc.id
    officer = console_as("officer@dc.demo")
    mine = officer.get("/console/?assigned=me").get_data(as_text=True)
    assert DOM in mine
    assert officer.post("/console/applications/assign", {"tracking": [DOM], "officer": ""}).status_code == 403


def test_revealing_a_cnic_asks_a_reason_and_is_audited(dc_officer: Console, session: Session) -> None:
    found = dc_officer.get("/console/citizens?q=35202-1234567-2").get_data(as_text=True)
    assert "*****-****456-7" not in found and "35202-1234567-2" not in found.split("<main")[1].split("value=")[0]
    assert "+923001234567" not in found
    citizen_id = int(found.split("/console/citizens/")[1].split("/reveal")[0])
    refused = dc_officer.post(f"/console/citizens/{citizen_id}/reveal", {"reason": "", "q": "03001234567"},
                              follow=True)
    assert "Give a reason" in refused.get_data(as_text=True)
    shown = dc_officer.post(f"/console/citizens/{citizen_id}/reveal", {"reason": "caller verification",
                                                                       "q": "03001234567"}).get_data(as_text=True)
    assert "35202-1234567-2" in shown and "+923001234567" in shown
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "pii.revealed")).one()
    assert (entry.actor, entry.detail) == ("officer@dc.demo", "caller verification")


def test_blocking_needs_a_reason_and_the_bill_stops_being_payable(dc_officer: Console, session: Session) -> None:
    refused = dc_officer.post(f"/console/bills/{DC_BILL}/unblock", {"reason": "", "back": f"/console/bills/{DC_BILL}"},
                              follow=True)
    assert "Give a reason" in refused.get_data(as_text=True)
    assert session.exec(select(Bill.status).where(Bill.psid == DC_BILL)).one() == "blocked"
    dc_officer.post(f"/console/bills/{DC_BILL}/unblock", {"reason": "dispute settled"})
    session.rollback()
    assert session.exec(select(Bill.status).where(Bill.psid == DC_BILL)).one() == "unpaid"
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "bill.unblocked")).one()
    assert (entry.subject, entry.detail) == (DC_BILL, "dispute settled")
