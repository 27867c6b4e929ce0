"""VERIFY a challan or receipt on SMS and USSD (issue 14, "verify what is genuine"): one domain function
(`payments.verification.verify_reference`); a receipt tells its agency, amount and paid date, a PSID only its
agency and amount, and nothing personal ever; anything else is "not a Rabta challan: do not pay"."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlmodel import Session

from app.timeutil import local_today
from payments.verification import verify_reference
from tests.fixtures.channels import TextRabta
from tests.fixtures.ussd import UssdCall, screen_of
from tests.payments.helpers import basic_auth, payment_payload

STRANGER = "+923451112299"


def _bank_pays(client: FlaskClient, psid: str, amount: int) -> str:
    body = client.post("/billers/1bill/payment", headers=basic_auth(),
                       json=payment_payload(psid, "VRF1", amount)).get_json()
    assert body["response_Code"] == "00", body
    return str(body["Identification_parameter"])


def test_a_psid_shows_its_agency_and_amount_to_anyone_and_nothing_personal(
        demo: None, text_rabta: TextRabta) -> None:
    reply = text_rabta(STRANGER, "VERIFY 1000 0000 0000 00001")
    assert reply is not None and reply.startswith("Rabta: PSID 10000000000000001 is a genuine")
    assert "Rs " in reply and "never sends links" in reply
    for personal in ("Ayesha", "+92300", "3520", "paid"):
        assert personal not in reply


def test_a_receipt_is_checkable_by_whoever_holds_it(client: FlaskClient, demo: None, session: Session,
                                                    text_rabta: TextRabta) -> None:
    receipt = _bank_pays(client, "10000000000000001", 150000)
    reply = text_rabta(STRANGER, f"verify {receipt.lower()}")
    assert reply is not None and reply.startswith(f"Rabta: receipt {receipt} is genuine: Rs 1,500 paid to")
    assert local_today("Asia/Karachi").strftime("%d-%m-%Y") in reply


def test_anything_else_is_not_a_rabta_challan(demo: None, text_rabta: TextRabta) -> None:
    for fake in ("VERIFY 99999999999999999", "VERIFY RB9999999999", "TASDEEQ http://e-challan.pk/pay"):
        reply = text_rabta(STRANGER, fake)
        assert (reply is not None and "is not a Rabta challan or receipt. Do not pay it." in reply) or \
            "Rabta kabhi link nahi bhejta" in (reply or "")
    assert text_rabta(STRANGER, "VERIFY") == \
        "Rabta: send VERIFY and a PSID or receipt number, e.g. VERIFY 10000000000000001"


def test_ussd_verify_menu_gives_the_same_answer_as_sms(demo: None, session: Session,
                                                       dial: Callable[..., UssdCall], text_rabta: TextRabta) -> None:
    call = dial(STRANGER)
    assert "Verify a challan/receipt" in screen_of(call)
    assert "PSID or receipt number" in call.send("5")
    screen = call.send("10000000000000002")
    expected = verify_reference(session=session, reference="10000000000000002",
                                on=local_today("Asia/Karachi")).render("en")
    assert screen.startswith("CON " + expected[:100])  # a long answer continues on "98 More"
    assert text_rabta(STRANGER, "VERIFY 10000000000000002") == expected


def test_ussd_verify_reprompts_for_garbage(demo: None, dial: Callable[..., UssdCall]) -> None:
    call = dial(STRANGER)
    call.send("5")
    assert "receipt is RB and 10 digits" in call.send("hello")
