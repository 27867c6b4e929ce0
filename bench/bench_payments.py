"""Payments benchmark.

(1) End to end, `start_payment` -> `succeeded`: web app under gunicorn (for the callbacks),
    the sandbox wallet as its own process with zero callback delay, 2 `rabta worker`
    processes; open loop: payments start at a fixed rate (--rate 100 a second) whatever the earlier
    ones are doing; p50 / p99 over >= 200 payments (from the payment's own created_at -> settled_at),
    and the rate settlements came at. Targets (issue 15): p99 < 250 ms at >= 100 payments/s.
(2) 1Bill under wrk at 64 connections, beside the floor (`bench.minimal_app`, one Redis read and one
    write) run with the same wrk and gunicorn settings: `POST /billers/1bill/inquiry` (100 unpaid bills
    asked about again and again) and `POST /billers/1bill/payment` (each request pays a different
    bill with a fresh tran_auth_id). Targets (issue 15): inquiry >= 0.5x the floor, payment >= 0.3x.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python -m bench.bench_payments [--quick] [--payments 200] [--rate 100] [--skip-end-to-end]

Uses REDIS_URL (db 5 unless set); a PostgreSQL DATABASE_URL gets a scratch database for each part (dropped
after), otherwise a scratch SQLite file.
"""

from __future__ import annotations

import argparse
import base64
import itertools
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

from bench.harness import (
    DEFAULT_REDIS_URL,
    UNLIMITED,
    Expect,
    LoadResult,
    Request,
    RequestLists,
    Row,
    add_options,
    app_env,
    banner,
    compare,
    floor,
    gunicorn,
    json_post,
    load_from,
    measure,
    print_rows,
    rounds_from,
    serve,
    server_from,
    split,
)
from tests.factories import local_day
from tests.support import free_port, scratch_database

SECRET = "bench-sandbox-secret"
USER, PASSWORD = "bench-bank", "bench-pass"
AUTH = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
PAYER = "+923001112223"  # the sandbox approves this number


def base_env(instance: Path, sandbox_port: int) -> dict[str, str]:
    env = {"RABTA_ENV": "development", "INSTANCE_PATH": str(instance), "LOG_LEVEL": "WARNING",
           "REDIS_URL": os.environ.get("REDIS_URL", DEFAULT_REDIS_URL),
           "SANDBOX_WALLET_URL": f"http://127.0.0.1:{sandbox_port}", "SANDBOX_WALLET_SECRET": SECRET,
           "ONEBILL_USERNAME": USER, "ONEBILL_PASSWORD": PASSWORD, **UNLIMITED}
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
            bill = issue_bill(session=session, agency=agency, psid=f"{prefix}{i:0{17 - len(prefix)}d}", kind="fee",
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


def end_to_end(runtime, payments: int, rate: float) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Open loop: payment i starts at i / rate seconds (a few starter threads keep the schedule), whatever the
    earlier ones are doing, as citizens arrive; one watcher notices each payment leave initiated / pending.
    A closed loop of a few payers would cap the rate at payers / latency and never show a queue building."""
    from payments.service import start_payment

    bills = issue_bills(runtime, payments, "7")
    started: dict[int, float] = {}
    late_ms: list[float] = []
    lock = threading.Lock()
    order = itertools.count()

    def starter(origin: float) -> None:
        while (i := next(order)) < len(bills):
            due = origin + i / rate
            time.sleep(max(0.0, due - time.perf_counter()))
            began = time.perf_counter()
            with runtime.db.transaction() as session:
                payment_id = start_payment(wallet="sandbox", today=local_day(), session=session, psid=bills[i][0],
                                           channel="app", msisdn=PAYER).id
            assert payment_id is not None
            with lock:
                started[payment_id] = began
                late_ms.append((began - due) * 1000)

    origin = time.perf_counter() + 0.2
    threads = [threading.Thread(target=starter, args=(origin,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    client_ms = _watch(runtime, started, lock, threads, len(bills))
    wall = time.perf_counter() - origin
    return _summary(runtime, list(started), client_ms, wall, rate, late_ms)


def _watch(runtime, started: dict[int, float], lock: threading.Lock,  # type: ignore[no-untyped-def]
           starters: list[threading.Thread], total: int) -> list[float]:
    """Every 20 ms, one query for the payments still in flight; a payment's client latency ends when it is seen done
    (so it reads up to 20 ms high; the server's own timestamps are exact). Polling more often costs CPU the
    system under test needs."""
    from sqlmodel import col, select

    from payments.models import IN_FLIGHT, Payment

    done: dict[int, float] = {}
    deadline = time.monotonic() + 120 + total
    while len(done) < total and time.monotonic() < deadline:
        time.sleep(0.02)
        with lock:
            waiting = [i for i in started if i not in done]
        if not waiting:
            continue
        with runtime.db.transaction(immediate=False) as session:
            query = select(Payment.id).where(col(Payment.id).in_(waiting), col(Payment.status).not_in(IN_FLIGHT))
            finished = list(session.exec(query))
        now = time.perf_counter()
        for payment_id in finished:
            done[payment_id] = (now - started[payment_id]) * 1000
    for thread in starters:
        thread.join()
    return list(done.values())


def _summary(runtime, ids: list[int], client_ms: list[float], wall: float, rate: float,  # type: ignore[no-untyped-def]
             late_ms: list[float]) -> dict[str, object]:
    from payments.models import Payment

    with runtime.db.transaction(immediate=False) as session:
        rows = [session.get(Payment, i) for i in ids]
    settled = sorted(p.settled_at for p in rows if p.settled_at)
    server_ms = sorted((p.settled_at - p.created_at).total_seconds() * 1000 for p in rows if p.settled_at)
    result = LoadResult("start_payment -> succeeded", len(rows), len(rows) - len(server_ms), wall, server_ms)
    summary = result.summary()
    client = LoadResult("client-observed", len(client_ms), 0, wall, client_ms)
    late = LoadResult("late starts", len(late_ms), 0, wall, late_ms)
    span = (settled[-1] - settled[0]).total_seconds() if len(settled) > 1 else 0.0
    succeeded = sum(1 for p in rows if p.status == "succeeded")
    summary.update(offered_per_s=rate, succeeded=succeeded,
                   # Settlements per second while they flowed: the offered rate, if the system kept up.
                   settled_per_s=round((len(settled) - 1) / span, 1) if span else 0.0,
                   client_p50_ms=round(client.percentile(50), 2), client_p99_ms=round(client.percentile(99), 2),
                   starts_late_p99_ms=round(late.percentile(99), 1),
                   stages_p50_ms=stages(runtime, ids))
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


def onebill_requests(runtime) -> tuple[RequestLists, RequestLists]:  # type: ignore[no-untyped-def]
    """Inquiries (any of 100 unpaid bills, again and again) and payments (each a new bill, a new tran_auth_id)."""
    batches = itertools.count(1)
    asked = [psid for psid, _amount in issue_bills(runtime, 100, "81")]
    auth = {"Authorization": AUTH}

    def inquiries(threads: int, per_thread: int) -> list[list[Request]]:
        return [[json_post("/billers/1bill/inquiry", {"consumer_number": asked[(t + i) % len(asked)],
                                                      "bank_mnemonic": "HBL"}, auth)
                 for i in range(per_thread)] for t in range(threads)]

    def payments(threads: int, per_thread: int) -> list[list[Request]]:
        batch = next(batches)
        bills = issue_bills(runtime, threads * per_thread, f"82{batch:03d}")
        day = runtime.today().strftime("%Y%m%d")
        requests = [json_post("/billers/1bill/payment", {
            "consumer_number": psid, "tran_auth_id": f"B{batch}N{i}", "transaction_amount": f"{amount:012d}",
            "tran_date": day, "tran_time": "101500", "bank_mnemonic": "HBL"}, auth)
            for i, (psid, amount) in enumerate(bills)]
        return split(requests, threads)

    return inquiries, payments


# A 1Bill answer is JSON with "response_Code": "00" when the bill was found / the payment booked.
ONEBILL_OK = Expect(status=200, prefixes=("{",), contains=('"00"',))


def run(options: argparse.Namespace) -> list[Row]:
    """(2) 1Bill inquiry and payment under wrk, beside the floor."""
    server, load = server_from(options), load_from(options)
    with tempfile.TemporaryDirectory(prefix="rabta-bench-1bill-") as folder, \
            scratch_database(Path(folder)) as database_url:  # never the shared database itself
        banner("1Bill", server, load, database_url)
        env = app_env(Path(folder), database_url, ONEBILL_USERNAME=USER, ONEBILL_PASSWORD=PASSWORD)
        runtime = make_runtime(env)
        inquiries, payments = onebill_requests(runtime)
        rounds = rounds_from(options)
        with serve("bench.minimal_app:app", env, server) as bare, serve("app.wsgi:app", env, server) as url:
            rows = [compare("1Bill inquiry", 0.5, lambda: floor(bare, load, "POST"),
                            lambda hint: measure("1Bill inquiry", url, inquiries, load, ONEBILL_OK, hint), rounds),
                    compare("1Bill payment", 0.3, lambda: floor(bare, load, "POST"),
                            lambda hint: measure("1Bill payment", url, payments, load, ONEBILL_OK, hint), rounds)]
        runtime.db.dispose()
    return rows


def end_to_end_run(payments: int, rate: float, workers: int, rq_workers: int) -> dict[str, object]:
    """(1) start_payment -> succeeded with the sandbox wallet and rq workers (not an HTTP load: no wrk)."""
    sandbox_port = free_port()
    with tempfile.TemporaryDirectory(prefix="rabta-bench-pay-") as folder, \
            scratch_database(Path(folder)) as database_url:  # never the shared database itself
        env = {**base_env(Path(folder), sandbox_port), "DATABASE_URL": database_url}
        runtime = make_runtime(env)
        with gunicorn("app.wsgi:app", env, workers=workers, threads=4) as url:
            sandbox_env = {**env, "SANDBOX_WALLET_CALLBACK_DELAY_SECONDS": "0",
                           "SANDBOX_WALLET_CALLBACK_URL": f"{url}/payments/callbacks/sandbox"}
            rabta = [sys.executable, "-c", "from app.cli import main; main()", "worker"]
            sandbox = [sys.executable, "-m", "sandbox_wallet", "--port", str(sandbox_port)]
            sandbox_up = lambda: _answers(f"http://127.0.0.1:{sandbox_port}/healthz")  # noqa: E731
            workers_up = lambda: Worker.count(connection=runtime.redis) >= rq_workers  # noqa: E731
            with processes([sandbox], sandbox_env, sandbox_up), processes([rabta] * rq_workers, env, workers_up):
                e2e = end_to_end(runtime, payments, rate)
        summary = {"database": runtime.db.engine.dialect.name, "gunicorn_workers": workers, "rq_workers": rq_workers,
                   **e2e}
        runtime.db.dispose()
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_options(parser)
    parser.add_argument("--payments", type=int, default=200, help="(1) payments start -> succeeded")
    parser.add_argument("--rate", type=float, default=100.0, help="(1) payments started per second (open loop)")
    parser.add_argument("--rq-workers", type=int, default=2, help="(1) `rabta worker` processes")
    parser.add_argument("--skip-end-to-end", action="store_true", help="only (2), the 1Bill requests")
    options = parser.parse_args()
    rows = run(options)
    if not options.skip_end_to_end:
        e2e = end_to_end_run(options.payments, options.rate, options.workers, options.rq_workers)
        print(json.dumps({"end_to_end": e2e}))
    print_rows(rows)


if __name__ == "__main__":
    main()
