"""Sandbox settings, read from its own environment (it is a separate service)."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass
class SandboxConfig:
    secret: str = "sandbox-wallet-dev-secret"
    callback_url: str = "http://127.0.0.1:8000/payments/callbacks/sandbox"
    callback_delay_seconds: float = 2.0  # how long the "payer" takes to approve or decline
    late_seconds: float = 1200.0  # the late scenario approves after this (longer than our expiry)
    slow_seconds: float = 5.0  # the slow scenario's API answers take this long
    flaky_failures: int = 2  # the flaky scenario answers 503 this many times first
    callback_attempts: int = 5  # deliveries of one callback until our endpoint answers 2xx
    tolerance_seconds: int = 300  # accepted age of a signed request
    db_path: str | None = None  # SQLite file keeping the charges across restarts; None: memory only

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> SandboxConfig:
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            secret=env.get("SANDBOX_WALLET_SECRET", defaults.secret),
            callback_url=env.get("SANDBOX_WALLET_CALLBACK_URL", defaults.callback_url),
            callback_delay_seconds=float(env.get("SANDBOX_WALLET_CALLBACK_DELAY_SECONDS",
                                                 defaults.callback_delay_seconds)),
            late_seconds=float(env.get("SANDBOX_WALLET_LATE_SECONDS", defaults.late_seconds)),
            slow_seconds=float(env.get("SANDBOX_WALLET_SLOW_SECONDS", defaults.slow_seconds)),
            db_path=env.get("SANDBOX_WALLET_DB") or None,
        )
