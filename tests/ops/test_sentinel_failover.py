"""Scale-out on Redis Sentinel: the primary dies mid-load and nothing a caller was promised is lost.

A Redis primary, a replica and three sentinels on loopback; two gunicorn web processes and two
`rabta worker`s reach Redis only through the sentinels. Callers pay bills over USSD on both web
processes while the primary is killed. Afterwards every payment a caller was told about settles
exactly once (one wallet charge, one paid bill, one receipt SMS sent), and no hop ever answered
anything but a `CON`/`END` screen (at worst a polite `END`), never a 500.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlmodel import Session, select

from app.bills.models import Bill
from app.citizens.service import change_pin
from app.notifications.models import Notification
from app.runtime import Runtime
from app.settings import Settings
from payments.models import Payment
from sms.models import OutboundMessage
from tests.factories import make_bill, make_citizen
from tests.fixtures.ops import Processes
from tests.fixtures.payments import PaymentPorts, RunningSandbox, wait_until
from tests.fixtures.redis_sentinel import REDIS_SERVER, SERVICE, Topology

pytestmark = pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server missing (.ci/run installs redis-server)")

CALLERS = 24
PIN = "7319"
STARTED = re.compile(r"\b(P[2-9A-HJ-NP-Z]{9})\b")


@pytest.fixture
def topology(tmp_path: Path) -> Iterator[Topology]:
    running = Topology(tmp_path / "redis").start()
    yield running
    running.stop()


@pytest.fixture
def settings(base_settings: Settings, payment_overrides: dict[str, Any], topology: Topology) -> Settings:
    return base_settings.model_copy(update={
        **payment_overrides, "REDIS_URL": None, "REDIS_SENTINELS": topology.sentinels,
        "REDIS_SENTINEL_SERVICE": SERVICE, "SMS_PROVIDER": "console", "AT_WEBHOOK_TOKEN": None,
        # A charge job lost with the primary is found again by the poller within seconds.
        "PAYMENT_PENDING_POLL_AFTER_SECONDS": 3,
    })


def _callers(runtime: Runtime) -> list[tuple[str, str]]:
    """(number, PSID) per caller: a citizen with a PIN and an unpaid bill of their own."""
    pairs = []
    with runtime.db.transaction() as session:
        for index in range(CALLERS):
            citizen = make_citizen(session, msisdn=f"+9230055{index + 100:05d}")
            change_pin(session=session, citizen=citizen, new_pin=PIN)
            bill = make_bill(session, citizen=citizen, within=100000 + index * 100, psid=f"3{index + 1:016d}")
            pairs.append((citizen.msisdn, bill.psid))
    return pairs


class Caller:
    def __init__(self, url: str, number: str, psid: str, index: int) -> None:
        self.url, self.number, self.psid = url, number, psid
        self.session_id = f"ATUid_failover_{index}"
        self.screens: list[tuple[int, str]] = []
        self.answered_at: list[float] = []

    def pay(self, primary_killed: threading.Event, kill_now: threading.Event, start_kill_after: int) -> None:
        typed: list[str] = []
        for step in ("", "1", self.psid, "1", PIN):
            if step:
                typed.append(step)
            response = requests.post(f"{self.url}/ussd/africastalking", timeout=60, data={
                "sessionId": self.session_id, "phoneNumber": self.number, "text": "*".join(typed),
                "serviceCode": "*384*786#", "networkCode": "41001"})
            self.screens.append((response.status_code, response.text))
            self.answered_at.append(time.monotonic())
            if len(self.screens) == start_kill_after:
                kill_now.set()
            if response.text.startswith("END "):
                return

    @property
    def reference(self) -> str | None:
        last = self.screens[-1][1] if self.screens else ""
        match = STARTED.search(last)
        return match.group(1) if match and last.startswith("END ") else None


def test_after_the_primary_dies_mid_load_every_payment_settles_once_and_no_receipt_is_lost(
        processes: Processes, topology: Topology, payment_ports: PaymentPorts, sandbox: RunningSandbox,
        runtime: Runtime, session: Session) -> None:
    pairs = _callers(runtime)
    webs = [processes.web(workers=1, port=payment_ports.web), processes.web(workers=1)]
    for _ in range(2):
        processes.worker()
    callers = [Caller(webs[i % 2].url or "", number, psid, i) for i, (number, psid) in enumerate(pairs)]

    kill_now, killed = threading.Event(), threading.Event()
    killed_at: list[float] = []

    def killer() -> None:
        kill_now.wait(timeout=120)
        topology.kill_primary()
        killed_at.append(time.monotonic())
        killed.set()

    threading.Thread(target=killer, daemon=True).start()
    with ThreadPoolExecutor(max_workers=6) as pool:
        # The primary goes down once the third caller is on its second screen: many are mid-session.
        for index, caller in enumerate(callers):
            pool.submit(caller.pay, killed, kill_now, 2 if index == 2 else -1)
    assert killed.is_set(), "the primary was killed during the load"
    wait_until(lambda: (address := topology.primary_address()) is not None and address[1] == topology.replica_port,
               timeout=30)

    hops = [screen for caller in callers for screen in caller.screens]
    after_kill = [t for caller in callers for t in caller.answered_at if t > killed_at[0]]
    assert len(after_kill) >= len(hops) // 2, "most of the load ran against the failing and failed-over Redis"
    assert [h for h in hops if h[0] != 200 or not h[1].startswith(("CON ", "END "))] == [], \
        "every hop answered a screen, never a 500"
    promised = {caller.reference for caller in callers} - {None}
    assert len(promised) >= CALLERS // 2, f"most callers completed: {len(promised)} of {CALLERS}"
    after_failover = requests.post(f"{webs[1].url}/ussd/africastalking", timeout=30, data={
        "sessionId": "ATUid_after", "phoneNumber": pairs[0][0], "text": "", "serviceCode": "*384*786#"})
    assert after_failover.status_code == 200 and after_failover.text.startswith("CON "), "sessions work again"

    def all_settled() -> bool:
        session.rollback()
        payments = list(session.exec(select(Payment)))
        receipts_sent = session.exec(select(OutboundMessage).where(OutboundMessage.kind == "payment_receipt",
                                                                   OutboundMessage.status == "sent")).all()
        return (bool(payments) and all(p.status == "succeeded" for p in payments)
                and len(receipts_sent) == len(payments))

    wait_until(all_settled, timeout=150, interval=0.5)
    session.rollback()
    payments = {p.reference: p for p in session.exec(select(Payment))}
    assert promised <= set(payments), "every reference a caller heard is a real payment"
    for payment in payments.values():
        charges = [c for c in sandbox.state.charges.values() if c.merchant_reference == payment.reference]
        assert len(charges) == 1, f"{payment.reference} charged once at the wallet"
        bill = session.get(Bill, payment.bill_id)
        assert bill is not None and bill.status == "paid" and bill.settled_by_payment_id == payment.id
        receipts = session.exec(select(Notification).where(Notification.kind == "payment_receipt",
                                                           Notification.dedupe_key == f"payment:{payment.id}:receipt"))
        assert len(receipts.all()) == 1
    processes.stop_all()
    for process in processes.started:
        assert "Traceback" not in process.output(), f"{process.name} kept running cleanly through the failover"
