"""The simulator's endpoints drive the real USSD and SMS webhooks over HTTP and report each hop."""

from __future__ import annotations

import json
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.runtime import Runtime
from sms.models import InboundMessage
from tests.fixtures.ussd import AYESHA, AYESHA_PIN, BILAL, holds_pin
from tests.simulator.conftest import HEADERS, api

RunJobs = Callable[[], None]


def test_a_call_goes_through_the_real_endpoint_and_the_panel_gets_each_hop(
        client: FlaskClient, live_app: str, demo: None) -> None:
    first = api(client, "ussd/dial", {"phone": AYESHA})
    assert first["session_id"].startswith("ATUid_sim")
    assert "Rabta govt services" in first["screen"] and first["end"] is False
    assert first["event"]["screen"] == "home" and first["event"]["input"] is None
    assert ["begin", "home"] in first["event"]["effects"]

    inputs = ["2"]
    hop = api(client, "ussd/reply", {"phone": AYESHA, "session_id": first["session_id"], "inputs": inputs})
    assert hop["event"]["came_from"] == "home" and hop["event"]["screen"] == "status.tracking"
    assert hop["event"]["input"] == "2"
    assert ["home", "completion"] in hop["event"]["funnel"]
    inputs.append("DOM-2026-000001")
    hop = api(client, "ussd/reply", {"phone": AYESHA, "session_id": first["session_id"], "inputs": inputs})
    assert "Under review" in hop["screen"]
    assert hop["event"]["effects"] == [["lookup_status", "found"]]


def test_the_pin_is_masked_at_the_source_and_never_reaches_the_panel(
        client: FlaskClient, live_app: str, demo: None, runtime: Runtime) -> None:
    call = api(client, "ussd/dial", {"phone": AYESHA})
    inputs: list[str] = []
    hop: dict[str, object] = {}
    for value in ("1", "10000000000000001", "1"):
        inputs.append(value)
        hop = api(client, "ussd/reply", {"phone": AYESHA, "session_id": call["session_id"], "inputs": inputs})
    assert hop["secret"] is True  # the PIN prompt: the page masks its Reply box
    inputs.append(AYESHA_PIN)
    hop = api(client, "ussd/reply", {"phone": AYESHA, "session_id": call["session_id"], "inputs": inputs})
    assert "Payment of Rs 1,500 started" in str(hop["screen"]) and hop["end"] is True
    event = hop["event"]
    assert isinstance(event, dict) and event["input"] == "****" and event["secret"] is True
    assert ["start_payment", "started"] in event["effects"]
    assert not holds_pin(json.dumps(hop))
    # The session record of the simulator holds no input at all.
    assert not [key for key in runtime.redis.keys("rabta:sim:*") if holds_pin(runtime.redis.get(key))]


def test_a_dropped_call_sends_incomplete_and_the_next_call_offers_to_continue(
        client: FlaskClient, live_app: str, demo: None) -> None:
    call = api(client, "ussd/dial", {"phone": BILAL})
    api(client, "ussd/reply", {"phone": BILAL, "session_id": call["session_id"], "inputs": ["1"]})
    ended = api(client, "ussd/hang-up", {"phone": BILAL, "session_id": call["session_id"], "inputs": ["1"]})
    assert ended["event"]["status"] == "Incomplete"
    again = api(client, "ussd/dial", {"phone": BILAL})
    assert "pichla session toot gaya" in again["screen"]  # Bilal reads Roman Urdu
    assert again["event"]["screen"] == "resume"


def test_an_unanswered_screen_times_out_as_the_network_would(
        client: FlaskClient, live_app: str, demo: None, runtime: Runtime) -> None:
    call = api(client, "ussd/dial", {"phone": AYESHA})
    api(client, "ussd/reply", {"phone": AYESHA, "session_id": call["session_id"], "inputs": ["1"]})
    runtime.settings.SIMULATOR_IDLE_TIMEOUT_SECONDS = 0  # the caller leaves the PSID prompt unanswered
    late = api(client, "ussd/reply", {"phone": AYESHA, "session_id": call["session_id"], "inputs": ["1", "0"]})
    assert late["timed_out"] is True and late["event"]["status"] == "Incomplete"
    runtime.settings.SIMULATOR_IDLE_TIMEOUT_SECONDS = 60
    again = api(client, "ussd/dial", {"phone": AYESHA})
    assert "last session was cut off" in again["screen"]
    gone = client.post("/simulator/api/ussd/reply", json={"phone": AYESHA, "session_id": call["session_id"],
                                                           "inputs": ["1", "0"]}, headers=HEADERS)
    assert gone.status_code == 409


def test_two_phones_keep_their_own_sessions(client: FlaskClient, live_app: str, demo: None) -> None:
    ayesha = api(client, "ussd/dial", {"phone": AYESHA})
    bilal = api(client, "ussd/dial", {"phone": BILAL})
    assert ayesha["session_id"] != bilal["session_id"]
    a = api(client, "ussd/reply", {"phone": AYESHA, "session_id": ayesha["session_id"], "inputs": ["2"]})
    b = api(client, "ussd/reply", {"phone": BILAL, "session_id": bilal["session_id"], "inputs": ["1"]})
    assert a["event"]["screen"] == "status.tracking" and b["event"]["screen"] == "pay.psid"
    # A phone cannot answer another phone's call.
    crossed = client.post("/simulator/api/ussd/reply", headers=HEADERS,
                          json={"phone": BILAL, "session_id": ayesha["session_id"], "inputs": ["2", "x"]})
    assert crossed.status_code == 409


def test_a_text_goes_through_the_inbound_webhook_and_its_reply_reaches_the_inbox(
        client: FlaskClient, live_app: str, demo: None, session: Session, run_jobs: RunJobs) -> None:
    sent = api(client, "sms", {"phone": BILAL, "text": "BILL 10000000000000004"})
    assert sent["command"] == "BILL" and sent["provider"] == "africastalking" and sent["http"] == 200
    assert (sent["segments"], sent["encoding"]) == (1, "GSM-7")
    [inbound] = session.exec(select(InboundMessage).where(InboundMessage.msisdn == BILAL)).all()
    assert inbound.body == "BILL 10000000000000004"
    run_jobs()
    inbox = client.get(f"/simulator/api/inbox?phone={BILAL}").get_json()
    [reply] = inbox["messages"]
    assert reply["kind"] == "reply" and reply["status"] == "sent" and reply["provider"] == "console"
    assert "10000000000000004" in reply["body"] and reply["segments"] >= 1 and reply["encoding"] in ("GSM-7", "UCS-2")


def test_a_pay_code_is_in_the_inbox_but_masked_in_the_panel(
        client: FlaskClient, live_app: str, demo: None, run_jobs: RunJobs) -> None:
    api(client, "sms", {"phone": AYESHA, "text": "PAY 10000000000000006"})
    run_jobs()
    [message] = client.get(f"/simulator/api/inbox?phone={AYESHA}").get_json()["messages"]
    assert message["kind"] == "pay_code"
    code = message["body"].split("YES ")[1][:6]
    assert code.isdigit() and code not in message["masked"] and "YES ******" in message["masked"]
    answered = api(client, "sms", {"phone": AYESHA, "text": f"YES {code}"})
    assert answered["command"] == "YES" and code not in answered["text"]
