"""App API benchmark: `GET /api/v1/bills` and `POST /api/v1/payments` under gunicorn on loopback,
beside the yardstick `bench.minimal_app` (one Redis read + write) measured in the same run.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/4 \
        .venv/bin/python -m bench.bench_api [--clients 8] [--requests 250] [--workers 2]

With a PostgreSQL DATABASE_URL a scratch database is created for the run and dropped after.
GET: a signed-in citizen with a full first page (20 bills). POST: every request pays a
different unpaid bill with a fresh Idempotency-Key (202 expected); the charge jobs pile up
in Redis unworked, so the figure is the API's own cost, not the wallet's.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.harness import Request, as_json, gunicorn, report, run_load
from tests.support import scratch_database

AYESHA = "+923001234567"


def _runtime(env: dict[str, str]) -> Any:
    from app import create_app
    from app.migrate import upgrade
    from app.settings import Settings

    settings = Settings(**{k: v for k, v in env.items() if k in Settings.model_fields})  # type: ignore[arg-type]
    upgrade(settings.database_url)
    runtime = create_app(settings).extensions["rabta"]
    runtime.redis.flushdb()
    return runtime


def _prepare(runtime: Any, payable_bills: int) -> tuple[str, list[str]]:
    """Demo data, a full first page of bills for Ayesha, her access token, and bills to pay."""
    from app.api.auth import token_config
    from app.auth.tokens import start_session
    from app.bills.service import issue_bill
    from app.catalogue.service import get_agency
    from app.citizens.service import get_by_msisdn
    from app.seed import seed_demo
    from app.timeutil import today

    with runtime.db.transaction() as session:
        seed_demo(session=session)
        ayesha = get_by_msisdn(session=session, msisdn=AYESHA)
        psca = get_agency(session=session, code="PSCA")
        due = today() + timedelta(days=10)
        for i in range(17):  # 3 demo bills + 17 = one full default page
            issue_bill(session=session, agency=psca, psid=f"3{i:016d}", kind="challan", description="Bench challan",
                       amount_within_due=150000, amount_after_due=200000, due_date=due, citizen_id=ayesha.id)
        psids = [issue_bill(session=session, agency=psca, psid=f"4{i:016d}", kind="challan", description="Bench",
                            amount_within_due=150000, amount_after_due=None, due_date=due).psid
                 for i in range(payable_bills)]
        pair = start_session(session=session, config=token_config(runtime), citizen_id=ayesha.id or 0)
    return pair.access_token, psids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=250, help="per client")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (sync) for every app")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rabta-bench-api-") as tmp, scratch_database(Path(tmp)) as url:
        run(url, Path(tmp), args.clients, args.requests, args.workers)


def run(database_url: str, instance: Path, clients: int, per_client: int, workers: int) -> None:
    env = {"RABTA_ENV": "development", "INSTANCE_PATH": str(instance), "LOG_LEVEL": "WARNING",
           "DATABASE_URL": database_url, "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/4"),
           "SECRET_KEY": "bench-secret-key-0123456789",
           "API_RATE_LIMIT_PER_MINUTE": "100000000", "API_IP_RATE_LIMIT_PER_MINUTE": "100000000"}
    runtime = _runtime(env)
    token, psids = _prepare(runtime, clients * per_client)
    auth = {"Authorization": f"Bearer {token}"}

    def get_bills(_client: int, _i: int) -> Request:
        return "GET", "/api/v1/bills", None, auth

    def pay(client: int, i: int) -> Request:
        body, headers = as_json({"psid": psids[client * per_client + i]})
        return "POST", "/api/v1/payments", body, {**auth, **headers, "Idempotency-Key": str(uuid.uuid4())}

    def minimal(_client: int, _i: int) -> Request:
        return "GET", "/minimal", None, {}

    with gunicorn("bench.minimal_app:app", env, workers=workers) as base_url:
        run_load("warmup", base_url, minimal, clients, 20)
        baseline = run_load("minimal_flask_redis", base_url, minimal, clients, per_client)
    with gunicorn("app.wsgi:app", env, workers=workers) as base_url:
        run_load("warmup", base_url, get_bills, clients, 20)
        bills = run_load("GET /api/v1/bills", base_url, get_bills, clients, per_client,
                         ok=lambda status, body: status == 200 and len(json.loads(body)["items"]) == 20)
        payments = run_load("POST /api/v1/payments", base_url, pay, clients, per_client,
                            ok=lambda status, _body: status == 202)
    print(json.dumps({"database": runtime.db.engine.dialect.name, "clients": clients, "requests_per_client":
                      per_client, "gunicorn_workers": workers, "cpus": os.cpu_count()}))
    report([bills, payments], baseline)
    runtime.db.dispose()


if __name__ == "__main__":
    main()
