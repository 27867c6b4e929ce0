"""App API under wrk: `GET /api/v1/bills` and `POST /api/v1/payments` at 64 connections, beside the floor
(`bench.minimal_app`, one Redis read and one write) run with the same wrk and gunicorn settings.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python -m bench.bench_api [--quick]

A scratch database is created for the run (on the server of DATABASE_URL) and dropped after.
GET: a signed-in citizen with a full first page (20 bills). POST: every request pays a different
unpaid bill with a fresh Idempotency-Key (202 expected); the charge jobs pile up in Redis unworked,
so the figure is the API's own cost, not the wallet's.

Targets (issue 15): GET /api/v1/bills >= 0.5x the floor, POST /api/v1/payments >= 0.3x.
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.harness import (
    Expect,
    Request,
    RequestLists,
    Row,
    add_options,
    app_env,
    banner,
    compare,
    floor,
    json_post,
    load_from,
    measure,
    print_rows,
    rounds_from,
    serve,
    server_from,
)
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


def _prepare(runtime: Any) -> str:
    """Demo data, a full first page of bills for Ayesha; her access token."""
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
        pair = start_session(session=session, config=token_config(runtime), citizen_id=ayesha.id or 0)
    return str(pair.access_token)


def payable_bills(runtime: Any, count: int, prefix: str) -> list[str]:
    """`count` unpaid bills nobody owns, PSIDs `prefix` + a counter (17 digits in all)."""
    from app.bills.service import issue_bill
    from app.catalogue.service import get_agency
    from app.timeutil import today

    due = today() + timedelta(days=10)
    with runtime.db.transaction() as session:
        psca = get_agency(session=session, code="PSCA")
        return [issue_bill(session=session, agency=psca, psid=f"{prefix}{i:0{17 - len(prefix)}d}", kind="challan",
                           description="Bench", amount_within_due=150000, amount_after_due=None, due_date=due).psid
                for i in range(count)]


def payments(runtime: Any, auth: dict[str, str]) -> RequestLists:
    batches = itertools.count(1)

    def make(threads: int, per_thread: int) -> list[list[Request]]:
        psids = payable_bills(runtime, threads * per_thread, f"4{next(batches):03d}")
        return [[json_post("/api/v1/payments", {"psid": psid}, {**auth, "Idempotency-Key": str(uuid.uuid4())})
                 for psid in psids[t * per_thread:(t + 1) * per_thread]] for t in range(threads)]

    return make


def run(options: argparse.Namespace) -> list[Row]:
    server, load = server_from(options), load_from(options)
    with tempfile.TemporaryDirectory(prefix="rabta-bench-api-") as tmp, scratch_database(Path(tmp)) as url:
        banner("App API", server, load, url)
        env = app_env(Path(tmp), url, ACCESS_TOKEN_TTL_SECONDS="7200")
        runtime = _runtime(env)
        auth = {"Authorization": f"Bearer {_prepare(runtime)}"}
        bills = lambda threads, per_thread: [[Request("GET", "/api/v1/bills", auth)] * per_thread] * threads  # noqa: E731
        # 20 bills on the page: the last one's PSID is in the body.
        page = Expect(status=200, prefixes=("{",), contains=('"items"', "30000000000000016"))
        accepted = Expect(status=202, prefixes=("{",), contains=('"reference"',))
        pay, rounds = payments(runtime, auth), rounds_from(options)
        with serve("bench.minimal_app:app", env, server) as bare, serve("app.wsgi:app", env, server) as base:
            rows = [compare("GET /api/v1/bills", 0.5, lambda: floor(bare, load, "GET"),
                            lambda hint: measure("GET /api/v1/bills", base, bills, load, page, hint), rounds),
                    compare("POST /api/v1/payments", 0.3, lambda: floor(bare, load, "POST"),
                            lambda hint: measure("POST /api/v1/payments", base, pay, load, accepted, hint), rounds)]
        runtime.db.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_options(parser)
    print_rows(run(parser.parse_args()))


if __name__ == "__main__":
    main()
