"""USSD hop latency and throughput: 64 concurrent AT-style sessions against Rabta under gunicorn.

Each simulated caller runs complete journeys (status check, bill inquiry, my bills
with paging, language menu), posting the growing `text` exactly like Africa's
Talking, on a fresh PostgreSQL database with the demo data and the real Redis.
The minimal Flask endpoint (one Redis read, one write) runs in the same run with the
same gunicorn settings.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
    REDIS_URL=redis://127.0.0.1:6379/2 .venv/bin/python -m bench.bench_ussd
"""

from __future__ import annotations

import argparse
import os
import tempfile
import uuid
from pathlib import Path

from bench.harness import LoadResult, form, gunicorn, report, run_load
from tests.support import scratch_database

AYESHA, BILAL = "+923001234567", "+923331234567"
# Complete journeys: the inputs typed after dialling ("" is the dial itself).
JOURNEYS: list[list[str]] = [
    ["2", "DOM-2026-000001", "00", "2", "PSP-2026-000002"],  # two status checks
    ["1", "10000000000000002", "0", "10000000000000001", "00"],  # two bill inquiries
    ["3", "98", "1", "0", "00"],  # my bills, paging, choose one, back
    ["4", "0", "1", "10000000000000004"],  # language menu, then a bill
]
HOPS_PER_CYCLE = sum(len(journey) + 1 for journey in JOURNEYS)


def _callers(client: int) -> str:
    return (AYESHA, BILAL, f"+92345{client:07d}")[client % 3]


def ussd_request(run_id: str, token: str):  # type: ignore[no-untyped-def]
    flat = [(j, n) for j, journey in enumerate(JOURNEYS) for n in range(len(journey) + 1)]

    def make(client: int, i: int) -> tuple[str, str, bytes | None, dict[str, str]]:
        cycle = i // HOPS_PER_CYCLE
        journey, typed = flat[i % HOPS_PER_CYCLE]
        body, headers = form({"sessionId": f"B{run_id}-{client}-{cycle}-{journey}", "serviceCode": "*384*786#",
                              "phoneNumber": _callers(client), "networkCode": "41001",
                              "text": "*".join(JOURNEYS[journey][:typed])})
        return "POST", f"/ussd/africastalking?token={token}", body, headers

    return make


def minimal_request(_client: int, _i: int) -> tuple[str, str, bytes | None, dict[str, str]]:
    return "POST", "/minimal", b"", {}


def _ok_ussd(status: int, body: bytes) -> bool:
    return status == 200 and body[:4] in (b"CON ", b"END ") and b"went wrong" not in body and b"busy" not in body


def _prepare(database_url: str, env: dict[str, str]) -> None:
    from app import create_app
    from app.migrate import upgrade
    from app.seed import seed_demo
    from app.settings import Settings

    upgrade(database_url)
    app = create_app(Settings(**{k: v for k, v in env.items() if k in Settings.model_fields}))  # type: ignore[arg-type]
    runtime = app.extensions["rabta"]
    runtime.redis.flushdb()
    with runtime.db.transaction() as session:
        seed_demo(session=session)
    runtime.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--hops", type=int, default=4 * HOPS_PER_CYCLE, help="hops per client")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--light-clients", type=int, default=4, help="a second, unqueued run for per-hop latency")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    redis_url = os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/2")
    token = uuid.uuid4().hex
    with tempfile.TemporaryDirectory() as tmp, scratch_database(Path(tmp)) as database_url:
        # Not "production": its guard rails want real SMS and wallet providers, which a USSD hop never calls.
        env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "INSTANCE_PATH": tmp, "LOG_LEVEL": "WARNING",
               "SECRET_KEY": uuid.uuid4().hex, "AT_WEBHOOK_TOKEN": token, "RABTA_ENV": "test"}
        _prepare(database_url, env)
        server = {"workers": args.workers, "threads": args.threads, "worker_class": "gthread"}
        results: list[LoadResult] = []
        with gunicorn("bench.minimal_app:app", env, **server) as url:
            run_load("warm-up", url, minimal_request, 8, 50)
            baseline = run_load("minimal", url, minimal_request, args.clients, args.hops)
            light_baseline = run_load(f"minimal, {args.light_clients} clients", url, minimal_request,
                                      args.light_clients, args.hops)
        with gunicorn("app.wsgi:app", env, **server) as url:
            run_load("warm-up", url, ussd_request("w", token), 8, HOPS_PER_CYCLE, _ok_ussd)
            results.append(run_load("ussd hop", url, ussd_request(uuid.uuid4().hex[:6], token), args.clients,
                                    args.hops, _ok_ussd))
            light = run_load(f"ussd hop, {args.light_clients} clients", url, ussd_request(uuid.uuid4().hex[:6], token),
                             args.light_clients, args.hops, _ok_ussd)
    print(f"# {args.clients} concurrent sessions, gunicorn gthread {args.workers}x{args.threads}, "
          f"PostgreSQL + Redis, {os.cpu_count()} CPUs")
    report(results, baseline)
    report([light], light_baseline)
    hop = results[0]
    print(f"# target p99 < 50 ms: {'met' if hop.percentile(99) < 50 else 'NOT met'} ({hop.percentile(99):.1f} ms); "
          f"throughput >= 0.5 x minimal: {'met' if hop.per_second >= 0.5 * baseline.per_second else 'NOT met'} "
          f"({hop.per_second / baseline.per_second:.2f})")


if __name__ == "__main__":
    main()
