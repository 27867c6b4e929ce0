"""Every keyword, in English, Roman Urdu and Urdu script, answered from the shared services."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session

from app.applications.service import lookup_status
from app.bills.service import inquire_bill
from app.citizens.service import find_by_msisdn
from app.messages import text
from app.runtime import Runtime
from sms import commands
from tests.factories import EVERYONE, local_day, make_citizen

AYESHA, BILAL = "+923001234567", "+923331234567"
UNPAID_PSID, PAID_PSID, BLOCKED_PSID = "10000000000000001", "10000000000000003", "10000000000000005"


def ask(runtime: Runtime, body: str, sender: str = AYESHA) -> commands.Result:
    with runtime.db.transaction() as session:
        return commands.handle(session=session, redis=runtime.redis, msisdn=sender, body=body, today=local_day(),
                               wallets=runtime.wallets)


@pytest.mark.parametrize(("body", "language"), [
    ("STATUS DOM-2026-000001", "en"), ("status  dom 2026 000001.", "en"), ("Staus DOM-2026-000001", "en"),
    ("DOM-2026-000001", "en"), ("halat DOM-2026-000001", "ur-Latn"), ("حالت DOM-2026-000001", "ur"),
    ("حالت ڈی DOM-۲۰۲۶-۰۰۰۰۰۱", None),
])
def test_status_replies_with_the_shared_status_text_in_the_keywords_language(
        runtime: Runtime, demo: None, session: Session, body: str, language: str | None) -> None:
    result = ask(runtime, body)

    assert result.command == "STATUS"
    if language is None:  # the stray word makes it an invalid number: the validation text, in Urdu
        assert result.reply == text("error.invalid_tracking", "ur")
        return
    view = lookup_status(viewer=EVERYONE, session=session, tracking_number="DOM-2026-000001", language=language)
    assert result.reply == view.render(language)


@pytest.mark.parametrize(("body", "language"), [
    (f"BILL {UNPAID_PSID}", "en"), (UNPAID_PSID, "en"), ("bill 1000 0000 0000 00001", "en"),
    (f"بل {UNPAID_PSID}", "ur"), (f"BIL {UNPAID_PSID}", "en"),
])
def test_bill_replies_with_the_shared_bill_inquiry_text(
        runtime: Runtime, demo: None, session: Session, body: str, language: str) -> None:
    result = ask(runtime, body)

    assert result.command == "BILL"
    assert result.reply == inquire_bill(session=session, psid=UNPAID_PSID, on=local_day(),
                                        language=language).render(language)


def test_the_citizens_own_language_is_used_for_an_english_keyword(runtime: Runtime, demo: None,
                                                                   session: Session) -> None:
    result = ask(runtime, f"BILL {PAID_PSID}", sender=BILAL)  # Bilal chose Urdu

    assert result.reply == inquire_bill(session=session, psid=PAID_PSID, on=local_day(), language="ur").render("ur")


@pytest.mark.parametrize(("body", "key", "language"), [
    ("STATUS XYZ", "error.invalid_tracking", "en"), ("STATUS ABC-2026-999999", "error.request_not_found", "en"),
    ("BILL 123", "error.invalid_psid", "en"), ("BILL 99999999999999999", "error.bill_not_found", "en"),
    ("ADA 123", "error.invalid_psid", "ur-Latn"), (f"PAY {PAID_PSID}", "error.bill_paid", "en"),
    (f"ادا {BLOCKED_PSID}", "error.bill_blocked", "ur"), ("STATUS", "sms.status_usage", "en"),
    ("BILL", "sms.bills_none", "en"), ("LANG xx", "sms.lang_usage", "en"), ("YES", "sms.yes_usage", "en"),
    ("haan 000000", "sms.code_invalid", "ur-Latn"),
])
def test_mistakes_get_the_shared_error_wording(runtime: Runtime, demo: None, body: str, key: str,
                                               language: str) -> None:
    sender = "+923009999999" if key == "sms.bills_none" else AYESHA
    if key == "sms.bills_none":
        with runtime.db.transaction() as session:
            make_citizen(session, msisdn=sender)
    assert ask(runtime, body, sender=sender).reply == text(key, language)


@pytest.mark.parametrize(("body", "language"), [("BILLS", "en"), ("bils", "en"), ("بلز", "ur"), ("BILL", "en")])
def test_bills_lists_the_senders_unpaid_bills(runtime: Runtime, demo: None, body: str, language: str) -> None:
    result = ask(runtime, body)

    assert result.command == "BILLS"
    assert result.reply is not None
    assert UNPAID_PSID in result.reply and "10000000000000002" in result.reply
    assert PAID_PSID not in result.reply


def test_bills_from_an_unknown_number_says_there_is_no_account(runtime: Runtime, demo: None) -> None:
    assert ask(runtime, "BILLS", sender="+923451112223").reply == text("error.citizen_not_found", "en")


@pytest.mark.parametrize(("body", "language"), [
    ("LANG UR", "ur"), ("lang ru", "ur-Latn"), ("ZUBAN ROMAN", "ur-Latn"), ("زبان اردو", "ur"), ("language en", "en"),
])
def test_lang_stores_the_preference_and_answers_in_it(runtime: Runtime, demo: None, session: Session,
                                                      body: str, language: str) -> None:
    result = ask(runtime, body)

    assert result.reply == text("sms.lang_set", language)
    citizen = find_by_msisdn(session=session, msisdn=AYESHA)
    assert citizen is not None and citizen.language == language


@pytest.mark.parametrize(("stop", "start", "language"), [
    ("STOP", "START", "en"), ("band", "shuru", "ur-Latn"), ("بند", "شروع", "ur")])
def test_stop_and_start_toggle_the_opt_out_even_for_a_first_time_texter(
        runtime: Runtime, session: Session, stop: str, start: str, language: str) -> None:
    sender = "+923219876543"
    assert ask(runtime, stop, sender=sender).reply == text("sms.stopped", language)
    citizen = find_by_msisdn(session=session, msisdn=sender)
    assert citizen is not None and citizen.sms_opt_out

    assert ask(runtime, start, sender=sender).reply == text("sms.started", language)
    session.rollback()  # end the read snapshot; see the committed change
    citizen = find_by_msisdn(session=session, msisdn=sender)
    assert citizen is not None and not citizen.sms_opt_out


@pytest.mark.parametrize(("body", "language"), [("HELP", "en"), ("?", "en"), ("madad", "ur-Latn"), ("مدد", "ur")])
def test_help_lists_the_commands(runtime: Runtime, body: str, language: str) -> None:
    assert ask(runtime, body).reply == text("sms.help", language)


@pytest.mark.parametrize(("body", "yes", "language"), [
    (f"PAY {UNPAID_PSID}", "YES", "en"), (f"ada {UNPAID_PSID}", "haan", "ur-Latn"),
    (f"ادا {UNPAID_PSID}", "ہاں", "ur")])
def test_pay_answers_the_amount_and_a_code_that_works_once(
        runtime: Runtime, demo: None, body: str, yes: str, language: str) -> None:
    result = ask(runtime, body)

    assert result.kind == "pay_code"
    assert result.reply is not None and "Rs 1,500" in result.reply
    code = re.findall(r"\b(\d{6})\b", result.reply)[-1]
    assert ask(runtime, f"{yes} 000000" if code != "000000" else f"{yes} 111111").reply == \
        text("sms.code_invalid", language)
    assert ask(runtime, f"{yes} {code}", sender=BILAL).reply == text("sms.code_invalid", language)
    started = ask(runtime, f"{yes} {code}")
    assert started.reply is not None and started.reply != text("sms.code_invalid", language)
    assert ask(runtime, f"{yes} {code}").reply == text("sms.code_invalid", language)
