"""Payments is wired into the dev runner, the scheduler and the CLI."""

from __future__ import annotations

import importlib

from flask import Flask

from app.devrunner import planned_processes
from app.queue import PAYMENTS
from app.scheduler import PERIODIC_JOBS
from app.settings import Settings


def test_the_dev_runner_starts_the_sandbox_wallet_where_the_app_expects_it() -> None:
    settings = Settings(SANDBOX_WALLET_SECRET="dev-secret-x")
    [sandbox] = [p for p in planned_processes(settings, "127.0.0.1", 8000, 1) if p.name == "sandbox"]
    assert sandbox.argv[1:] == ["-m", "sandbox_wallet", "--host", "127.0.0.1", "--port", "8100",
                                "--db", str(settings.INSTANCE_PATH.resolve() / "sandbox_wallet.sqlite3")]
    assert settings.SANDBOX_WALLET_URL == "http://127.0.0.1:8100"
    assert sandbox.env == {"SANDBOX_WALLET_SECRET": "dev-secret-x",
                           "SANDBOX_WALLET_CALLBACK_URL": "http://127.0.0.1:8000/payments/callbacks/sandbox"}


def test_the_dev_runner_calls_back_on_the_public_url_when_one_is_set() -> None:
    settings = Settings(PUBLIC_BASE_URL="https://rabta.example.pk/")
    [sandbox] = [p for p in planned_processes(settings, "0.0.0.0", 5000, 1) if p.name == "sandbox"]
    assert sandbox.env["SANDBOX_WALLET_CALLBACK_URL"] == "https://rabta.example.pk/payments/callbacks/sandbox"


def test_no_sandbox_runs_with_another_provider() -> None:
    settings = Settings(PAYMENT_PROVIDER="jazzcash")
    assert "sandbox" not in [p.name for p in planned_processes(settings, "127.0.0.1", 8000, 1)]


def test_polling_expiry_and_reconciliation_are_periodic_jobs_that_import() -> None:
    jobs = {job.name: job for job in PERIODIC_JOBS}
    assert jobs["payments-reconcile"].every_seconds == 900
    for name in ("payments-poll-pending", "payments-expire", "payments-reconcile"):
        module, _, func = jobs[name].func.rpartition(".")
        assert callable(getattr(importlib.import_module(module), func))
        assert jobs[name].queue_name == PAYMENTS


def test_the_cli_has_a_payments_group(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["payments", "--help"])
    assert "reconcile" in result.output and "refunds" in result.output
    assert "no refund cases" in app.test_cli_runner().invoke(args=["payments", "refunds"]).output
