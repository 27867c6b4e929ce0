"""Every screen, in every language, with long realistic data: <= 160 GSM-7 septets, paged, no word cut.

The data goes through the real effects (the service layer over the database), then
every visible screen is rendered on every page with every reason and notice it
can carry.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session

from app.bills.models import BLOCKED, PAID
from app.citizens.service import find_by_msisdn
from app.messages.gsm7 import is_gsm7, septets
from app.runtime import Runtime
from app.timeutil import today, utcnow
from tests.factories import make_agency, make_bill, make_citizen, make_request, make_service
from ussd import effects
from ussd.engine import Effect, State
from ussd.render import page_count, render, t
from ussd.screens import SCREENS, Menu, Pick

CALLER = "+923451234567"
LONG_AGENCY = "Khyber Pakhtunkhwa Excise, Taxation and Narcotics Control Department"
LONGEST_AGENCY = ("Provincial Directorate General of Excise, Taxation, Narcotics Control, Motor Vehicle Registration "
                  "and Professional Tax Collection, Government of the Punjab")[:160]
LONG_SERVICE = "Domicile Certificate and Permanent Residence Certificate (Provincial Attestation)"
LONG_DESCRIPTION = "Motor vehicle token tax, professional tax and registration fee arrears 2024-25"
# Rs 20,999,999.50 (2.1 crore): the bill columns are 32-bit on PostgreSQL, so this is the most a bill holds.
CRORES = 2_099_999_950
CRORES_AFTER = 2_147_000_000
REASONS: list[tuple[str, dict[str, Any]] | None] = [
    None, ("ussd.reason.choice", {}), ("ussd.reason.empty", {}), ("ussd.reason.no_more", {}),
    ("ussd.reason.pin_format", {}), ("ussd.reason.pin_wrong", {"left": 2}), ("ussd.reason.pin_mismatch", {}),
    ("ussd.reason.pin_weak", {}), ("error.invalid_psid", {}), ("error.invalid_tracking", {}),
    ("error.invalid_cnic", {}),
]
NOTICES = [None, "ussd.notice.expired", "ussd.notice.language"]


def _seed(session: Session) -> dict[str, str]:
    citizen = make_citizen(session, CALLER, cnic="37405-1234567-1")
    agency = make_agency(session, "KPETNCD", name_en=LONG_AGENCY, name_ur_latn=LONG_AGENCY.replace("and", "o"))
    longest = make_agency(session, "PDGETNC", name_en=LONGEST_AGENCY, name_ur_latn=LONGEST_AGENCY)
    for n in range(14):  # 12+ unpaid bills, amounts in crores
        make_bill(session, agency=agency if n % 2 else longest, citizen=citizen, due_in_days=n + 1,
                  within=CRORES + n, after=CRORES_AFTER, kind="tax", description=LONG_DESCRIPTION)
    overdue = make_bill(session, agency=longest, within=CRORES, after=CRORES_AFTER, due_in_days=-40,
                        description=LONG_DESCRIPTION)
    paid = make_bill(session, agency=longest, description=LONG_DESCRIPTION)
    blocked = make_bill(session, agency=longest, description=LONG_DESCRIPTION)
    paid.status, paid.paid_at, blocked.status = PAID, utcnow() - timedelta(days=3), BLOCKED
    service = make_service(session, agency, "DOMPA", name_en=LONG_SERVICE, name_ur_latn=LONG_SERVICE)
    request = make_request(session, citizen, service)
    unpaid = make_bill(session, agency=longest, within=CRORES, after=CRORES_AFTER, due_in_days=1,
                       description=LONG_DESCRIPTION)
    session.commit()
    return {"unpaid": unpaid.psid, "overdue": overdue.psid, "paid": paid.psid, "blocked": blocked.psid,
            "tracking": request.tracking_number}


def _data_variants(runtime: Runtime, language: str, ids: dict[str, str]) -> list[dict[str, Any]]:
    """Real effect outcomes, each merged over the fullest data a session can hold."""
    ctx = runtime.ussd.context
    with runtime.db.session() as session:  # the caller's own application: others' are not shown
        caller = find_by_msisdn(session=session, msisdn=CALLER)
    state = State(session_id="walk", phone=CALLER, language=language, citizen_id=caller.id if caller else None)

    def run(name: str, **args: Any) -> dict[str, Any]:
        return effects.EFFECTS[name](ctx, state, Effect("t", name, args)).data

    base = {"psid": ids["unpaid"], "tracking": ids["tracking"], "cnic": "*****-****456-1", "language": language}
    base.update(run("my_bills"))
    base.update(run("lookup_status", tracking=ids["tracking"]))
    base.update(run("load_bill", psid=ids["unpaid"]))
    base.update(run("start_payment", psid=ids["unpaid"]))
    base.update(run("verify_reference", reference=ids["unpaid"]))
    base["wallets"] = [{"value": "sandbox", "title": "Sandbox wallet"}, {"value": "jazzcash", "title": "JazzCash"}]
    variants = [base]
    for key in ("overdue", "paid", "blocked"):
        shown = run("load_bill", psid=ids[key])
        variants.append({**base, **{k: v for k, v in shown.items() if v is not None}})  # None deletes a key
    variants.append({**base, "bill_text": t("error.payment_in_flight", language)})
    return variants


def _words(text: str) -> list[str]:
    return text.split()


def _check_no_cut_words(screen_id: str, state: State, pages: list[str]) -> None:
    screen = SCREENS[screen_id]
    if isinstance(screen, Menu) and screen.body:
        fixed = {line for page in pages for line in page.split("\n")
                 if line.startswith(("0 ", "1 ", "98 ")) or line == t(screen.title or "-", state.language)}
        fixed |= {t(state.notice, state.language)} if state.notice else set()
        fixed |= {t(state.error[0], state.language, **state.error[1])} if state.error else set()
        shown = [w for page in pages for line in page.split("\n") if line not in fixed for w in _words(line)]
        assert shown == _words(str(state.data[screen.body])), (screen_id, pages)
    if isinstance(screen, Pick):
        items = state.data[screen.items]
        lines = [line for page in pages for line in page.split("\n") if line.split(" ")[0].isdigit()
                 and line.split(" ")[0] not in ("0", "98")]
        assert len(lines) == len(items)
        for line, item in zip(lines, items, strict=True):
            label, full = _words(line)[1:], _words(t(screen.item, state.language, **item))
            for word in label:  # shortened descriptions keep whole words, then "..."
                assert word in full or (word.endswith("...") and (word == "..." or word[:-3] in full)), line


@pytest.mark.parametrize("language", ["en", "ur", "ur-Latn"])
def test_every_screen_fits_160_gsm7_septets_on_every_page_in_every_language(
        runtime: Runtime, session: Session, language: str) -> None:
    variants = _data_variants(runtime, language, _seed(session))
    assert len(variants[0]["bills"]) == 14
    rendered = 0
    for screen_id, screen in SCREENS.items():
        if not isinstance(screen, Menu | Pick) and not hasattr(screen, "title"):
            continue
        for data in variants:
            for reason in REASONS:
                for notice in NOTICES:
                    state = State(session_id="walk", phone=CALLER, language=language, screen=screen_id,
                                  data=data, error=reason, notice=notice, citizen_id=1, has_pin=True)
                    pages = [render(replace(state, page=p)).text for p in range(page_count(state))]
                    for text in pages:
                        assert septets(text) <= 160, (screen_id, language, text)
                        assert is_gsm7(text), (screen_id, language, text)
                        rendered += 1
                    _check_no_cut_words(screen_id, state, pages)
    assert rendered > 1000


def test_twelve_unpaid_bills_in_crores_take_several_pages_with_more(runtime: Runtime, session: Session) -> None:
    variants = _data_variants(runtime, "en", _seed(session))
    state = State(session_id="walk", phone=CALLER, screen="bills.list", data=variants[0])
    pages = [render(replace(state, page=p)).text for p in range(page_count(state))]
    assert len(pages) >= 4
    assert all("98 More" in page for page in pages[:-1]) and "98 More" not in pages[-1]
    assert "Rs 20,999,999.63" in pages[0]  # the newest due first, the amount whole
    assert today().year > 2000
