"""One masking rule for texts that carry a one-time code (sign-in OTP, SMS PAY confirmation).

The app's message history, the console provider's log and every other place that shows such a
text use `app.messages.redaction.redact`.
"""

from __future__ import annotations

import logging
import re

import pytest
from flask.testing import FlaskClient

from app.messages.redaction import redact
from app.runtime import Runtime
from tests.fixtures.api import sign_in
from tests.fixtures.channels import TextRabta

AYESHA = "+923001234567"
CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")


def test_codes_are_masked_and_psids_amounts_and_other_texts_are_not() -> None:
    pay = "Pay Rs 12,350 for ETD Property tax (PSID 10000000000000002)? Reply YES 482913 within 10 minutes."
    assert redact(pay, "pay_code") == pay.replace("482913", "******")
    otp = "Your Rabta sign-in code is 048211. It expires in 5 minutes."
    assert redact(otp, "otp") == otp.replace("048211", "******")
    receipt = "Rabta: Rs 1,500 received for PSID 10000000000000001 (PSCA). Receipt RB0000001234."
    assert redact(receipt, "payment_receipt") == receipt


def test_the_apps_message_history_never_shows_a_sign_in_or_pay_code(
        client: FlaskClient, runtime: Runtime, demo: None, run_jobs, text_rabta: TextRabta) -> None:  # type: ignore[no-untyped-def]
    ayesha = sign_in(client, runtime, AYESHA)
    pay_reply = text_rabta(AYESHA, "PAY 10000000000000002")
    assert pay_reply is not None and CODE.search(pay_reply)  # the phone itself gets the code
    run_jobs()

    items = client.get("/api/v1/notifications", headers=ayesha.headers).json["items"]
    by_kind = {item["kind"]: item["body"] for item in items}
    assert {"otp", "pay_code"} <= set(by_kind)
    assert not CODE.search(by_kind["otp"]) and "******" in by_kind["otp"]
    assert not CODE.search(by_kind["pay_code"]) and "10000000000000002" in by_kind["pay_code"]


def test_the_console_provider_logs_masked_codes(runtime: Runtime, demo: None, run_jobs,  # type: ignore[no-untyped-def]
                                                text_rabta: TextRabta, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="rabta.sms.console"):
        reply = text_rabta(AYESHA, "PAY 10000000000000002")
        run_jobs()
    code = CODE.search(reply or "")
    assert code is not None
    assert "[pay_code]" in caplog.text and code.group() not in caplog.text
