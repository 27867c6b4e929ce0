"""The sandbox wallet keeps its charges in a SQLite file: a restarted wallet answers as before."""

from __future__ import annotations

import time
from pathlib import Path

from sandbox_wallet import SandboxConfig
from sandbox_wallet.state import WalletState


def _config(tmp_path: Path, delay: float) -> SandboxConfig:
    return SandboxConfig(callback_url="http://127.0.0.1:9/unused", callback_delay_seconds=delay, callback_attempts=1,
                         db_path=str(tmp_path / "sandbox_wallet.sqlite3"))


def _wait_decided(state: WalletState, charge_id: str) -> None:
    deadline = time.monotonic() + 10
    while state.charges[charge_id].status == "pending" and time.monotonic() < deadline:
        time.sleep(0.05)


def test_an_approved_charge_is_still_approved_after_a_restart(tmp_path: Path) -> None:
    first = WalletState(_config(tmp_path, delay=0.0))
    charge, _ = first.create("P2345ABCDE", 150000, "PKR", "+923001234567")
    _wait_decided(first, charge.charge_id)
    first.stop()

    again = WalletState(_config(tmp_path, delay=0.0))
    try:
        known = again.charges[again.by_reference["P2345ABCDE"]]
        assert (known.charge_id, known.status, known.amount, known.currency) == (charge.charge_id, "succeeded",
                                                                                  150000, "PKR")
        same, created = again.create("P2345ABCDE", 150000, "PKR", "+923001234567")
        assert not created and same.charge_id == charge.charge_id, "idempotent across the restart"
    finally:
        again.stop()


def test_a_charge_pending_at_the_restart_is_decided_afterwards(tmp_path: Path) -> None:
    first = WalletState(_config(tmp_path, delay=3600.0))
    charge, _ = first.create("P3456BCDEF", 20000, "PKR", "+923009870001")  # ...0001: declined by the payer
    first.stop()

    again = WalletState(_config(tmp_path, delay=0.0))
    try:
        _wait_decided(again, charge.charge_id)
        assert (again.charges[charge.charge_id].status, again.charges[charge.charge_id].reason) == \
            ("failed", "declined")
    finally:
        again.stop()


def test_without_a_file_the_wallet_keeps_charges_in_memory_only(tmp_path: Path) -> None:
    state = WalletState(SandboxConfig(callback_delay_seconds=3600.0))
    try:
        assert state.store is None
    finally:
        state.stop()
    assert list(tmp_path.iterdir()) == []
