"""The sandbox wallet service on its own: signing, idempotent charges, scenarios."""

from __future__ import annotations

import json
import time

import pytest

from payments.providers.sandbox import sign
from sandbox_wallet import SandboxConfig, create_app, scenarios

SECRET = "s3cret"


def _client():  # type: ignore[no-untyped-def]
    return create_app(SandboxConfig(secret=SECRET, callback_url="http://127.0.0.1:1/none",
                                    callback_delay_seconds=3600)).test_client()


def _signed(method: str, path: str, body: bytes = b"") -> dict[str, str]:
    stamp = str(int(time.time()))
    return {"X-Sandbox-Timestamp": stamp, "X-Sandbox-Signature": sign(SECRET, stamp, f"{method}.{path}.".encode()
                                                                      + body), "Content-Type": "application/json"}


def _charge(client, reference: str = "P1", amount: int = 150000, msisdn: str = "+923001112223"):  # type: ignore[no-untyped-def]
    body = json.dumps({"merchant_reference": reference, "amount": amount, "currency": "PKR",
                       "msisdn": msisdn}).encode()
    return client.post("/v1/charges", data=body, headers=_signed("POST", "/v1/charges", body))


@pytest.mark.parametrize(("msisdn", "amount", "expected"), [
    ("+923001230001", 150000, scenarios.DECLINED), ("+923001230002", 150000, scenarios.INSUFFICIENT_FUNDS),
    ("+923001230003", 150000, scenarios.NO_CALLBACK), ("+923001230004", 150000, scenarios.CALLBACK_THRICE),
    ("+923001230005", 150000, scenarios.LATE_SUCCESS), ("+923001230006", 150000, scenarios.SLOW),
    ("+923001230007", 150000, scenarios.FLAKY), ("+923001230008", 150000, scenarios.NO_ACCOUNT),
    ("+923001112223", 150002, scenarios.INSUFFICIENT_FUNDS), ("+923001112223", 150000, scenarios.APPROVED),
    ("+923001230009", 150000, scenarios.REFUND_FAILS), ("+923001112223", 150009, scenarios.REFUND_FAILS),
    ("+923001230010", 150000, scenarios.APPROVED),
])
def test_the_payer_number_or_the_amount_picks_the_scenario(msisdn: str, amount: int, expected: str) -> None:
    assert scenarios.scenario_for(msisdn, amount) == expected


def test_a_charge_whose_refunds_fail_is_still_approved() -> None:
    assert scenarios.outcome_of(scenarios.REFUND_FAILS) == ("succeeded", None)


def test_a_charge_is_pending_and_asking_again_returns_the_same_charge() -> None:
    client = _client()
    first = _charge(client)
    again = _charge(client)
    assert first.status_code == 201 and first.json["status"] == "pending"
    assert again.status_code == 200 and again.json["charge_id"] == first.json["charge_id"]
    assert _charge(client, amount=1).status_code == 409
    path = f"/v1/charges/{first.json['charge_id']}"
    assert client.get(path, headers=_signed("GET", path)).json["status"] == "pending"
    by_reference = "/v1/charges?merchant_reference=P1"
    assert client.get(by_reference, headers=_signed("GET", by_reference)).json["charge_id"] == first.json["charge_id"]


def test_unsigned_or_wrongly_signed_requests_are_refused() -> None:
    client = _client()
    assert client.post("/v1/charges", json={"merchant_reference": "P1"}).status_code == 401
    headers = _signed("POST", "/v1/charges", b"{}")
    assert client.post("/v1/charges", data=b'{"x": 1}', headers=headers).status_code == 401
    assert client.get("/healthz").status_code == 200


def test_malformed_charge_requests_are_400() -> None:
    client = _client()
    body = b'{"merchant_reference": "P1", "amount": "150000", "currency": "PKR", "msisdn": "+923001112223"}'
    assert client.post("/v1/charges", data=body, headers=_signed("POST", "/v1/charges", body)).status_code == 400


def test_a_number_without_a_wallet_is_refused_for_good() -> None:
    response = _charge(_client(), msisdn="+923001230008")
    assert response.status_code == 422 and response.json["error"] == "invalid_account"


def test_python_m_sandbox_wallet_serves_and_calls_back_with_a_signed_callback() -> None:
    import os
    import subprocess
    import sys
    import threading

    import requests
    from werkzeug.serving import make_server
    from werkzeug.wrappers import Request, Response

    from payments.providers.sandbox import SandboxWallet
    from tests.fixtures.payments import wait_until
    from tests.support import free_port

    received: list[tuple[bytes, dict[str, str]]] = []

    @Request.application
    def receiver(request: Request) -> Response:
        received.append((request.get_data(), dict(request.headers)))
        return Response("ok")

    hook_port, wallet_port = free_port(), free_port()
    hook = make_server("127.0.0.1", hook_port, receiver, threaded=True)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    env = {**os.environ, "SANDBOX_WALLET_SECRET": SECRET, "SANDBOX_WALLET_CALLBACK_DELAY_SECONDS": "0",
           "SANDBOX_WALLET_CALLBACK_URL": f"http://127.0.0.1:{hook_port}/payments/callbacks/sandbox"}
    process = subprocess.Popen([sys.executable, "-m", "sandbox_wallet", "--port", str(wallet_port)], env=env)
    try:
        def up() -> bool:
            try:
                return requests.get(f"http://127.0.0.1:{wallet_port}/healthz", timeout=1).ok
            except requests.RequestException:
                return False

        wait_until(up)
        adapter = SandboxWallet(base_url=f"http://127.0.0.1:{wallet_port}", secret=SECRET)
        from payments.providers.base import ChargeRequest

        adapter.start_charge(ChargeRequest(merchant_reference="PSUB1", amount=150000, currency="PKR",
                                           msisdn="+923001112223"))
        wait_until(lambda: received)
        body, headers = received[0]
        event = adapter.parse_callback(body=body, headers=headers)
        assert event.merchant_reference == "PSUB1" and event.state == "succeeded" and event.amount == 150000
    finally:
        process.terminate()
        process.wait(timeout=10)
        hook.shutdown()
