"""Every channel's journey through a real gunicorn and a real worker, all their output captured: every line
is JSON, the request id follows a payment from the USSD hop to its receipt SMS, and no PIN, OTP, PAY code,
token, API key, password, full number or full CNIC appears anywhere."""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import pytest
import requests
from sqlmodel import Session, col, select

from app.notifications.models import Notification
from app.runtime import Runtime
from app.settings import Settings
from payments.models import Payment
from sms.models import OutboundMessage
from tests.fixtures.api import agency_headers, last_otp
from tests.fixtures.ops import Process, Processes
from tests.fixtures.payments import ONEBILL_PASSWORD, SANDBOX_SECRET, PaymentPorts, RunningSandbox, wait_until
from tests.fixtures.ussd import AYESHA, AYESHA_PIN, BILAL
from tests.payments.helpers import basic_auth, payment_payload
from tests.support import as_received

AT_TOKEN = "at-token-9f8e7d6c5b"
SECRET_KEY = "log-test-secret-key-4b1c9e"
CNICS = ("35202-1234567-2", "3520212345672", "61101-7654321-1", "6110176543211")
NUMBERS = ("3001234567", "3331234567")


@pytest.fixture
def settings(base_settings: Settings, payment_overrides: dict[str, Any]) -> Settings:
    return base_settings.model_copy(update={**payment_overrides, "AT_WEBHOOK_TOKEN": AT_TOKEN,
                                            "SECRET_KEY": SECRET_KEY, "SMS_PROVIDER": "console"})


class Journeys:
    def __init__(self, web: Process, runtime: Runtime, session: Session) -> None:
        self.url = web.url or ""
        self.runtime = runtime
        self.session = session
        self.secrets: list[str] = [AT_TOKEN, SECRET_KEY, SANDBOX_SECRET, ONEBILL_PASSWORD, *CNICS, *NUMBERS]
        self.codes: list[str] = [AYESHA_PIN]
        self.sessions = itertools.count(1)

    def ussd(self, phone: str, *inputs: str) -> requests.Response:
        session_id = f"ATUid_logs_{next(self.sessions)}"
        typed: list[str] = []
        response = self._hop(phone, "", session_id)
        for value in inputs:
            typed.append(value)
            response = self._hop(phone, "*".join(typed), session_id)
        return response

    def _hop(self, phone: str, text: str, session_id: str) -> requests.Response:
        response = requests.post(f"{self.url}/ussd/africastalking?token={AT_TOKEN}", timeout=30, data={
            "sessionId": session_id, "phoneNumber": phone, "text": text, "serviceCode": "*384*786#",
            "networkCode": "41001"})
        assert response.status_code == 200 and response.text[:4] in ("CON ", "END "), response.text
        return response

    def sms(self, sender: str, text: str, message_id: str) -> None:
        response = requests.post(f"{self.url}/sms/africastalking?token={AT_TOKEN}", timeout=30, data={
            "from": sender, "to": "8012", "text": text, "id": message_id, "date": "2026-12-01 10:00:00"})
        assert response.status_code == 200, response.text

    def newest(self, model: Any, kind: str) -> Any:
        def fresh() -> Any:
            self.session.rollback()  # a new snapshot on every poll
            return self.session.exec(select(model).where(model.kind == kind).order_by(col(model.id).desc())).first()
        return wait_until(fresh)

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return requests.request(method, f"{self.url}/api/v1{path}", timeout=30, **kwargs)


def test_no_secret_or_personal_number_reaches_any_log_line(
        processes: Processes, payment_ports: PaymentPorts, sandbox: RunningSandbox, runtime: Runtime,
        session: Session, demo: None) -> None:
    web = processes.web(workers=2, port=payment_ports.web)
    worker = processes.worker()
    journeys = Journeys(web, runtime, session)

    # USSD: status, then Ayesha pays her e-challan with her PIN.
    journeys.ussd(AYESHA, "2", "DOM-2026-000001")
    paid = journeys.ussd(AYESHA, "1", "10000000000000001", "1", AYESHA_PIN)
    assert paid.text.startswith("END ")
    ussd_request_id = paid.headers["X-Request-ID"]
    # Its receipt goes out before anything else is queued: the outbox coalesces kicks, so a drain that is
    # already waiting would carry another request's id.

    def receipt_sent() -> bool:
        session.rollback()
        receipts = select(OutboundMessage).where(OutboundMessage.kind == "payment_receipt")
        return session.exec(receipts).first() is not None
    wait_until(receipt_sent, timeout=120)

    # SMS: STATUS, then PAY and YES with the one-time code.
    journeys.sms(AYESHA, "STATUS DOM-2026-000001", "log-1")
    journeys.sms(AYESHA, "PAY 10000000000000002", "log-2")
    offer = journeys.newest(OutboundMessage, "pay_code")
    pay_code = re.search(r"\b(\d{6})\b", as_received(runtime, offer))
    assert pay_code is not None
    journeys.codes.append(pay_code.group(1))
    journeys.sms(AYESHA, f"YES {pay_code.group(1)}", "log-3")

    # API: an agency bills Bilal's number; Bilal signs in with an OTP, looks up, pays with an Idempotency-Key.
    agency = agency_headers(runtime, "PSCA")
    journeys.secrets.append(agency["Authorization"].removeprefix("Bearer "))
    issued = journeys.api("POST", "/agency/bills", headers=agency, json={
        "kind": "challan", "description": "Signal violation", "amount_within_due": 200000,
        "due_date": "2030-01-31", "citizen_msisdn": BILAL})
    assert issued.status_code == 201, issued.text
    assert journeys.api("POST", "/auth/otp", json={"msisdn": BILAL}).status_code == 202
    journeys.newest(Notification, "otp")
    otp = last_otp(runtime, BILAL)
    journeys.codes.append(otp)
    tokens = journeys.api("POST", "/auth/token", json={"msisdn": BILAL, "otp": otp}).json()
    journeys.secrets += [tokens["access_token"], tokens["refresh_token"]]
    signed_in = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert journeys.api("GET", "/requests/BRC-2026-000003", headers=signed_in).status_code == 200
    started = journeys.api("POST", "/payments", json={"psid": issued.json()["psid"]},
                           headers={**signed_in, "Idempotency-Key": "logs-1"})
    assert started.status_code == 202, started.text
    assert journeys.api("POST", "/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 200

    # 1Bill: Bilal's overdue challan paid at a bank.
    bank = requests.post(f"{journeys.url}/billers/1bill/payment", headers=basic_auth(), timeout=30,
                         json=payment_payload("10000000000000004", "LOGS1001", 150000))
    assert bank.json()["response_Code"] == "00", bank.text

    def settled() -> bool:
        session.rollback()
        statuses = [p.status for p in session.exec(select(Payment))]
        pending_sms = session.exec(select(OutboundMessage).where(OutboundMessage.status == "queued")).first()
        pending_notifications = session.exec(select(Notification).where(Notification.status == "pending")).first()
        return statuses.count("succeeded") == 4 and pending_sms is None and pending_notifications is None
    wait_until(settled, timeout=120)

    processes.stop_all()
    output = {"web": web.output(), "worker": worker.output()}
    lines = {name: [line for line in text.splitlines() if line.strip()] for name, text in output.items()}
    for name, text_lines in lines.items():
        for line in text_lines:
            assert isinstance(json.loads(line), dict), f"{name} wrote a line that is not JSON: {line}"
    records = [json.loads(line) for line in lines["worker"]]
    traced = [r for r in records if r.get("request_id") == ussd_request_id]
    assert any("charge_payment" in r["message"] for r in traced), "the USSD hop's id is on its charge job's line"
    assert any("[payment_receipt]" in r["message"] for r in traced), \
        "and, through the wallet's callback, on the receipt SMS: one grep follows the payment"
    assert any("SMS to +92300****567" in r["message"] for r in records), "receipts are logged, masked"

    everything = output["web"] + output["worker"]
    leaks = [secret for secret in journeys.secrets if secret in everything]
    leaks += [code for code in journeys.codes if re.search(rf"(?<![\w-]){code}(?![\w-])", everything)]
    assert leaks == []
