"""The payer chooses the wallet, among those the deployment offers; each payment records its own."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.runtime import Runtime
from payments.models import Payment
from payments.providers.sandbox import SandboxWallet
from tests.fixtures.api import sign_in
from tests.fixtures.channels import TextRabta
from tests.fixtures.ussd import AYESHA, AYESHA_PIN, UssdCall

UNPAID = "10000000000000001"


class OtherSandbox(SandboxWallet):
    """A second wallet on offer (the sandbox wallet under another name)."""

    name = "easypaisa"
    title = "Easypaisa"


@pytest.fixture
def two_wallets(runtime: Runtime) -> None:
    runtime.wallets.adapters["easypaisa"] = OtherSandbox.from_settings
    runtime.wallets.names.append("easypaisa")


def _payment(session: Session) -> Payment:
    session.rollback()
    return session.exec(select(Payment)).one()


def test_the_app_lists_the_wallets_on_offer_and_refuses_another(
        client: FlaskClient, runtime: Runtime, session: Session, demo: None) -> None:
    assert client.get("/api/v1/wallets").json == {"items": ["sandbox"]}
    ayesha = sign_in(client, runtime, AYESHA)
    refused = client.post("/api/v1/payments", json={"psid": UNPAID, "wallet": "jazzcash"},
                          headers={**ayesha.headers, "Idempotency-Key": "w1"})
    assert (refused.status_code, refused.json["errors"]) == (422, {"wallet": "not offered"})
    assert session.exec(select(Payment)).all() == []


def test_the_app_pays_from_the_chosen_wallet(client: FlaskClient, runtime: Runtime, session: Session, demo: None,
                                              two_wallets: None) -> None:
    assert client.get("/api/v1/wallets").json == {"items": ["sandbox", "easypaisa"]}
    ayesha = sign_in(client, runtime, AYESHA)
    paid = client.post("/api/v1/payments", json={"psid": UNPAID, "wallet": "easypaisa"},
                       headers={**ayesha.headers, "Idempotency-Key": "w2"})
    assert (paid.status_code, paid.json["wallet"]) == (202, "easypaisa")
    assert _payment(session).provider == "easypaisa"


def test_ussd_offers_the_wallets_and_pays_from_the_one_picked(
        session: Session, demo: None, two_wallets: None, dial: Callable[..., UssdCall]) -> None:
    call = dial(AYESHA)
    call.send("1", UNPAID)
    choose = call.send("1")
    assert "Pay from which wallet?" in choose and "1 Sandbox wallet" in choose and "2 Easypaisa" in choose
    assert "PIN" in call.send("2")
    assert call.send(AYESHA_PIN).startswith("END Payment of Rs 1,500 started")
    assert _payment(session).provider == "easypaisa"


def test_one_wallet_on_offer_asks_nothing_more(session: Session, demo: None, dial: Callable[..., UssdCall]) -> None:
    call = dial(AYESHA)
    call.send("1", UNPAID)
    assert "PIN" in call.send("1")


def test_sms_pays_from_the_wallet_named_after_the_psid(
        session: Session, demo: None, two_wallets: None, text_rabta: TextRabta) -> None:
    reply = text_rabta(AYESHA, f"PAY {UNPAID} easypaisa")
    code = re.search(r"YES (\d{6})", reply or "")
    assert code is not None
    started = text_rabta(AYESHA, f"YES {code.group(1)}")
    assert started is not None and started.startswith("Payment P")
    assert _payment(session).provider == "easypaisa"
