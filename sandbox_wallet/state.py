"""The sandbox's charges (in memory, and in a SQLite file when `db_path` is set) and its callback sender."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

from sandbox_wallet import scenarios
from sandbox_wallet.config import SandboxConfig
from sandbox_wallet.store import ChargeStore

log = logging.getLogger("sandbox_wallet")


def sign(secret: str, timestamp: str, message: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + message, hashlib.sha256).hexdigest()


@dataclass
class Charge:
    charge_id: str
    merchant_reference: str
    amount: int
    currency: str
    msisdn: str
    scenario: str
    status: str = "pending"
    reason: str | None = None
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    decided_at: str | None = None
    request_id: str | None = None  # the merchant's X-Request-ID, echoed on callbacks (tracing)

    def public(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("scenario")
        data.pop("request_id")
        return data


class WalletState:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.charges: dict[str, Charge] = {}
        self.by_reference: dict[str, str] = {}
        self.create_attempts: dict[str, int] = {}
        self.lock = threading.Lock()
        self.timers: list[threading.Timer] = []
        self.refunds: dict[str, dict[str, Any]] = {}  # by the merchant's refund_reference (memory only)
        self.store = ChargeStore(config.db_path) if config.db_path else None
        if self.store is not None:
            self._resume(self.store.load(Charge))

    def create(self, reference: str, amount: int, currency: str, msisdn: str,
               request_id: str | None = None) -> tuple[Charge, bool]:
        """Idempotent on the merchant reference: asking twice returns the first charge."""
        with self.lock:
            existing = self.by_reference.get(reference)
            if existing:
                return self.charges[existing], False
            charge = Charge(charge_id="ch_" + secrets.token_hex(8), merchant_reference=reference, amount=amount,
                            currency=currency, msisdn=msisdn, scenario=scenarios.scenario_for(msisdn, amount),
                            request_id=request_id)
            self.charges[charge.charge_id] = charge
            self.by_reference[reference] = charge.charge_id
            self._save(charge)
        self._schedule_decision(charge, self._decision_delay(charge))
        return charge, True

    def _decision_delay(self, charge: Charge) -> float:
        return (self.config.late_seconds if charge.scenario == scenarios.LATE_SUCCESS
                else self.config.callback_delay_seconds)

    def _schedule_decision(self, charge: Charge, delay: float) -> None:
        timer = threading.Timer(max(delay, 0.0), self.decide, args=(charge.charge_id,))
        timer.daemon = True
        self.timers.append(timer)
        timer.start()

    def _resume(self, charges: list[Charge]) -> None:
        """After a restart: every charge is known again; a pending one is decided when it was due."""
        now = datetime.now(UTC)
        for charge in charges:
            self.charges[charge.charge_id] = charge
            self.by_reference[charge.merchant_reference] = charge.charge_id
            if charge.status == "pending":
                age = (now - datetime.fromisoformat(charge.created_at)).total_seconds()
                self._schedule_decision(charge, self._decision_delay(charge) - age)

    def _save(self, charge: Charge) -> None:
        if self.store is not None:
            self.store.save(charge)

    def count_attempt(self, reference: str) -> int:
        with self.lock:
            self.create_attempts[reference] = self.create_attempts.get(reference, 0) + 1
            return self.create_attempts[reference]

    def decide(self, charge_id: str) -> None:
        """The payer answers on their phone; we tell the merchant (unless the scenario says not to)."""
        with self.lock:
            charge = self.charges[charge_id]
            if charge.status != "pending":
                return
            charge.status, charge.reason = scenarios.outcome_of(charge.scenario)
            charge.decided_at = datetime.now(UTC).isoformat()
            self._save(charge)
        if charge.scenario == scenarios.NO_CALLBACK:
            return
        for _ in range(3 if charge.scenario == scenarios.CALLBACK_THRICE else 1):
            self.deliver(charge)

    def callback_body(self, charge: Charge) -> bytes:
        event = {"event_id": f"evt_{charge.charge_id}_{charge.status}", "type": "charge.updated",
                 "charge_id": charge.charge_id, "merchant_reference": charge.merchant_reference,
                 "amount": charge.amount, "currency": charge.currency, "status": charge.status,
                 "reason": charge.reason, "occurred_at": charge.decided_at}
        return json.dumps(event).encode()

    def deliver(self, charge: Charge) -> int:
        """POST the signed callback, retrying with backoff until the merchant answers 2xx."""
        body = self.callback_body(charge)
        status = 0
        for attempt in range(self.config.callback_attempts):
            timestamp = str(int(time.time()))
            headers = {"Content-Type": "application/json", "X-Sandbox-Timestamp": timestamp,
                       "X-Sandbox-Signature": "sha256=" + sign(self.config.secret, timestamp, body)}
            if charge.request_id:
                headers["X-Request-ID"] = charge.request_id
            try:
                status = requests.post(self.config.callback_url, data=body, headers=headers, timeout=10).status_code
            except requests.RequestException as exc:
                log.warning("callback for %s failed: %s", charge.charge_id, type(exc).__name__)
                status = 0
            if 200 <= status < 300:
                return status
            time.sleep(min(2**attempt * 0.5, 8))
        return status

    def refund(self, refund_reference: str, merchant_reference: str, amount: Any,
               currency: str) -> tuple[dict[str, Any], bool] | str:
        """Refund a succeeded charge in full; the same refund_reference twice is one refund. An error code
        (str) when the charge is unknown, not succeeded, the amount differs, or its scenario refuses refunds."""
        with self.lock:
            if refund_reference in self.refunds:
                return self.refunds[refund_reference], False
            charge = self.charges.get(self.by_reference.get(merchant_reference, ""))
            if charge is None:
                return "not_found"
            if charge.status != "succeeded" or (amount, currency) != (charge.amount, charge.currency):
                return "invalid_refund"
            if charge.scenario == scenarios.REFUND_FAILS:
                return "refund_failed"
            refund = {"refund_id": "rf_" + secrets.token_hex(8), "refund_reference": refund_reference,
                      "charge_id": charge.charge_id, "merchant_reference": merchant_reference,
                      "amount": charge.amount, "currency": charge.currency, "status": "succeeded",
                      "created_at": datetime.now(UTC).isoformat()}
            self.refunds[refund_reference] = refund
            return refund, True

    def stop(self) -> None:
        for timer in self.timers:
            timer.cancel()
        if self.store is not None:
            self.store.close()
