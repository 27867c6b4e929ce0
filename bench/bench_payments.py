"""Payments benchmark.

(1) End to end, `start_payment` -> `succeeded`: web app under gunicorn (for the callbacks),
    the sandbox wallet as its own process with zero callback delay, 2 `rabta worker`
    processes; closed loop with a few concurrent payers; p50 / p99 over >= 200 payments
    (from the payment's own created_at -> settled_at).
(2) 1Bill `POST /billers/1bill/payment` requests per second under gunicorn on loopback,
    each paying a different bill with a fresh tran_auth_id,
beside the yardstick `bench.minimal_app` (one Redis read + write) measured in the same run.

    .venv/bin/python -m bench.bench_payments [--payments 200] [--payers 4] [--clients 8] [--requests 150]

Uses REDIS_URL (default redis://127.0.0.1:6379/1); a PostgreSQL DATABASE_URL gets a scratch database for the run
(dropped after), otherwise a scratch SQLite file.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import requests
from rq import Worker

from bench.harness import LoadResult, Request, as_json, gunicorn, report, run_load
from tests.factories import local_day
from tests.support import free_port, scratch_database

SECRET = "bench-sandbox-secret"
USER, PASSWORD = "bench-bank", "bench-pass"
AUTH = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
PAYER = "+923001112223"  # the sandbox approves this number


def base_env(instance: Path, sandbox_port: int) -> dict[str, str]:
    env = {"RABTA_ENV": "development", "INSTANCE_PATH": str(instance), "LOG_LEVEL": "WARNING",
           "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1"),
           "SANDBOX_WALLET_URL": f"http://127.0.0.1:{sandbox_port}", "SANDBOX_WALLET_SECRET": SECRET,
           "ONEBILL_USERNAME": USER, "ONEBILL_PASSWORD": PASSWORD}
    return env


def make_runtime(env: dict[str, str]):  # type: ignore[no-untyped-def]
    from app import create_app
    from app.migrate import upgrade
    from app.settings import Settings

    settings = Settings(**{k: v for k, v in env.items() if k in Settings.model_fields})  # type: ignore[arg-type]
    upgrade(settings.database_url)
    runtime = create_app(settings).extensions["rabta"]
    runtime.redis.flushdb()
    return runtime


def issue_bills(runtime, count: int, prefix: str) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    from app.bills.service import issue_bill
    from app.catalogue.service import upsert_agency
    from app.timeutil import today

    bills = []
    with runtime.db.transaction() as session:
        agency = upsert_agency(session=session, code="BENCH", name_en="Bench agency")
        for i in range(count):
            bill = issue_bill(session=session, agency=agency, psid=f"{prefix}{i:016d}", kind="fee",
                              description="Bench fee", amount_within_due=150000, amount_after_due=None,
                              due_date=today() + timedelta(days=10))
            bills.append((bill.psid, bill.amount_within_due))
    return bills


@contextmanager
def processes(argvs: list[list[str]], env: dict[str, str], ready: Callable[[], bool]) -> Iterator[None]:
    children = [subprocess.Popen(argv, env={**os.environ, **env}) for argv in argvs]
    try:
        deadline = time.monotonic() + 60
        while not ready() and time.monotonic() < deadline:
            time.sleep(0.1)
        yield
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(timeout=20)


def end_to_end(runtime, payments: int, payers: int) -> dict[str, object]:  # type: ignore[no-untyped-def]
    from payments.models import Payment
    from payments.service import start_payment

    bills = issue_bills(runtime, payments, "7")
    client_ms: list[float] = []
    ids: list[int] = []
    lock = threading.Lock()

    def payer(mine: list[tuple[str, int]]) -> None:
        for psid, _amount in mine:
            started = time.perf_counter()
            with runtime.db.transaction() as session:
                payment_id = start_payment(wallet="sandbox", today=local_day(), session=session, psid=psid,
                                           channel="app", msisdn=PAYER).id
            while True:
                with runtime.db.transaction(immediate=False) as session:
                    status = session.get(Payment, payment_id).status
                if status != "initiated" and status != "pending":
                    break
                time.sleep(0.005)
            with lock:
                client_ms.append((time.perf_counter() - started) * 1000)
                ids.append(payment_id)

    threads = [threading.Thread(target=payer, args=(bills[i::payers],)) for i in range(payers)]
    wall = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - wall
    with runtime.db.transaction(immediate=False) as session:
        rows = [session.get(Payment, i) for i in ids]
    server_ms = sorted((p.settled_at - p.created_at).total_seconds() * 1000 for p in rows if p.settled_at)
    result = LoadResult("start_payment -> succeeded", len(rows), len(rows) - len(server_ms), wall, server_ms)
    summary = result.summary()
    client = LoadResult("client-observed", len(client_ms), 0, wall, client_ms)
    summary.update(client_p50_ms=round(client.percentile(50), 2), client_p99_ms=round(client.percentile(99), 2),
                   payments_per_s=round(len(rows) / wall, 1), payers=payers, stages_p50_ms=stages(runtime, ids))
    return summary


def stages(runtime, ids: list[int]) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Median time from the payment's creation to the first event of each kind: where the time goes."""
    from sqlmodel import col, select

    from payments.models import Payment, PaymentEvent

    gaps: dict[str, list[float]] = {}
    with runtime.db.transaction(immediate=False) as session:
        for payment_id in ids:
            payment = session.get(Payment, payment_id)
            seen: set[str] = set()
            query = select(PaymentEvent).where(PaymentEvent.payment_id == payment_id).order_by(col(PaymentEvent.id))
            for event in session.exec(query):
                kind = event.kind if event.kind != "state_change" else f"to_{event.payload.get('to')}"
                if kind not in seen:
                    seen.add(kind)
                    gaps.setdefault(kind, []).append((event.created_at - payment.created_at).total_seconds() * 1000)
    if os.environ.get("BENCH_TIMELINE"):
        for payment_id in ids[:: max(1, len(ids) // 8)]:
            with runtime.db.transaction(immediate=False) as session:
                payment = session.get(Payment, payment_id)
                query = select(PaymentEvent).where(PaymentEvent.payment_id == payment_id).order_by(col(PaymentEvent.id))
                timeline = [(e.kind, e.payload.get("to"), round((e.created_at - payment.created_at)
                                                                .total_seconds() * 1000)) for e in session.exec(query)]
                print(payment_id, timeline)
    return {kind: round(sorted(v)[len(v) // 2], 1) for kind, v in gaps.items()}


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--payments", type=int, default=200)
    parser.add_argument("--payers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=150, help="1Bill payments per client")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers and rq workers")
    args = parser.parse_args()
    sandbox_port = free_port()
    with tempfile.TemporaryDirectory(prefix="rabta-bench-pay-") as folder, \
            scratch_database(Path(folder)) as database_url:  # never the shared database itself
        env = {**base_env(Path(folder), sandbox_port), "DATABASE_URL": database_url}
        runtime = make_runtime(env)
        with gunicorn("bench.minimal_app:app", env, workers=args.workers) as url:
            run_load("warm-up", url, lambda c, i: ("POST", "/minimal", b"", {}), 2, 50)
            baseline = run_load("minimal flask+redis", url, lambda c, i: ("POST", "/minimal", b"", {}),
                                args.clients, args.requests)
        with gunicorn("app.wsgi:app", env, workers=args.workers, threads=4) as url:
            bank = onebill_load(runtime, url, args.clients, args.requests)
            sandbox_env = {**env, "SANDBOX_WALLET_CALLBACK_DELAY_SECONDS": "0",
                           "SANDBOX_WALLET_CALLBACK_URL": f"{url}/payments/callbacks/sandbox"}
            rabta = [sys.executable, "-c", "from app.cli import main; main()", "worker"]
            sandbox = [sys.executable, "-m", "sandbox_wallet", "--port", str(sandbox_port)]
            sandbox_up = lambda: _answers(f"http://127.0.0.1:{sandbox_port}/healthz")  # noqa: E731
            workers_up = lambda: Worker.count(connection=runtime.redis) >= args.workers  # noqa: E731
            with processes([sandbox], sandbox_env, sandbox_up), processes([rabta] * args.workers, env, workers_up):
                e2e = end_to_end(runtime, args.payments, args.payers)
        summary = report([bank], baseline)
        print(json.dumps({"end_to_end": e2e}))
        print(json.dumps({"clients": args.clients, "gunicorn_workers": args.workers, "rq_workers": args.workers,
                          "database": runtime.db.engine.dialect.name, **summary}))
        runtime.db.dispose()


def onebill_load(runtime, url: str, clients: int, requests: int) -> LoadResult:  # type: ignore[no-untyped-def]
    bills = issue_bills(runtime, clients * requests + 40, "8")

    def pay(offset: int) -> object:
        def make(client: int, i: int) -> Request:
            psid, amount = bills[offset + client * requests + i]
            body, headers = as_json({"consumer_number": psid, "tran_auth_id": f"T{offset}C{client}N{i}",
                                     "transaction_amount": f"{amount:012d}", "tran_date": "20261201",
                                     "tran_time": "101500", "bank_mnemonic": "HBL"})
            return "POST", "/billers/1bill/payment", body, {**headers, "Authorization": AUTH}
        return make

    run_load("warm-up", url, pay(clients * requests), 1, 40)  # type: ignore[arg-type]
    return run_load("1bill payment", url, pay(0), clients, requests,  # type: ignore[arg-type]
                    ok=lambda status, body: status == 200 and b'"00"' in body)


if __name__ == "__main__":
    main()
