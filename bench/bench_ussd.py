"""USSD hop throughput (64 connections) and latency (4 connections) against the floor, under wrk.

Each wrk thread owns one connection and replays complete Africa's Talking journeys (status checks,
bill inquiries, my bills with paging, the language menu), posting the growing `text` hop after hop
with a session id of its own, on a scratch database with the demo data and the real Redis. The floor,
`bench.minimal_app` (one Redis read and one write), runs with the same wrk and gunicorn settings.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python -m bench.bench_ussd [--quick] [--show]

Targets (issue 15): throughput >= 0.6x the floor at 64 connections; p99 <= 1.5x the floor's p99 at 4.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import tempfile
import uuid
from pathlib import Path
from typing import Any

from bench.harness import (
    REFUSED_BODIES,
    Expect,
    Request,
    RequestLists,
    Row,
    add_options,
    app_env,
    banner,
    compare,
    floor,
    form_post,
    load_from,
    measure,
    print_rows,
    rounds_from,
    serve,
    server_from,
)
from tests.support import scratch_database

AYESHA, BILAL = "+923001234567", "+923331234567"
# Complete journeys: the inputs typed after dialling ("" is the dial itself).
JOURNEYS: list[list[str]] = [
    ["2", "DOM-2026-000001", "00", "2", "PSP-2026-000002"],  # two status checks
    ["1", "10000000000000002", "0", "10000000000000001", "00"],  # two bill inquiries
    ["3", "98", "1", "0", "00"],  # my bills, paging, choose one, back
    ["4", "0", "1", "10000000000000004"],  # language menu, then a bill
]
USSD_OK = Expect(status=200, prefixes=("CON ", "END "))


def _caller(thread: int) -> str:
    return (AYESHA, BILAL, f"+92345{thread:07d}")[thread % 3]


def hops(session_id: str, phone: str, journey: list[str], token: str) -> list[Request]:
    """One session: the dial, then one hop per input, `text` growing as Africa's Talking sends it."""
    path = f"/ussd/africastalking?token={token}"
    return [form_post(path, {"sessionId": session_id, "serviceCode": "*384*786#", "phoneNumber": phone,
                             "networkCode": "41001", "text": "*".join(journey[:typed])})
            for typed in range(len(journey) + 1)]


def ussd_requests(token: str) -> RequestLists:
    def make(threads: int, per_thread: int) -> list[list[Request]]:
        run = uuid.uuid4().hex[:8]
        lists = []
        for thread in range(threads):
            mine: list[Request] = []
            for n in itertools.count():
                if len(mine) >= per_thread:
                    break
                journey = JOURNEYS[(thread + n) % len(JOURNEYS)]
                mine += hops(f"B{run}-{thread}-{n}", _caller(thread), journey, token)
            lists.append(mine[:per_thread])
        return lists

    return make


def walk(base_url: str, token: str, show: bool) -> None:
    """Each journey once, in Python, before the load: every screen must be a real one."""
    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    for number, journey in enumerate(JOURNEYS):
        for hop in hops(f"W{uuid.uuid4().hex[:8]}-{number}", AYESHA, journey, token):
            connection.request(hop.method, hop.path, body=hop.body, headers=hop.headers)
            reply = connection.getresponse().read().decode()
            if show:
                print(f"    {hop.body.decode().rsplit('text=', 1)[-1]!r:>40} -> {reply[:70]!r}")
            if reply[:4] not in ("CON ", "END ") or any(word in reply for word in REFUSED_BODIES):
                raise RuntimeError(f"journey {number}: unexpected screen {reply!r}")
    connection.close()


def _prepare(env: dict[str, str]) -> None:
    from app import create_app
    from app.migrate import upgrade
    from app.seed import seed_demo
    from app.settings import Settings

    upgrade(env["DATABASE_URL"])
    runtime: Any = create_app(Settings(**{k: v for k, v in env.items() if k in Settings.model_fields}))  # type: ignore[arg-type]
    runtime = runtime.extensions["rabta"]
    runtime.redis.flushdb()
    with runtime.db.transaction() as session:
        seed_demo(session=session)
    runtime.db.dispose()


def run(options: argparse.Namespace) -> list[Row]:
    server, load = server_from(options), load_from(options)
    light = load_from(options, connections=options.latency_connections)
    token = uuid.uuid4().hex
    with tempfile.TemporaryDirectory(prefix="rabta-bench-ussd-") as tmp, scratch_database(Path(tmp)) as url:
        banner("USSD hop", server, load, url)
        env = app_env(Path(tmp), url, AT_WEBHOOK_TOKEN=token)
        _prepare(env)
        rounds = rounds_from(options)
        with serve("bench.minimal_app:app", env, server) as bare, serve("app.wsgi:app", env, server) as base:
            walk(base, token, options.show)
            throughput = compare("USSD hop", 0.6, lambda: floor(bare, load, "POST"),
                                 lambda hint: measure("USSD hop", base, ussd_requests(token), load, USSD_OK, hint),
                                 rounds)
            hint = throughput.result.per_second
            latency = compare("USSD hop (latency)", 1.5, lambda: floor(bare, light, "POST"),
                              lambda _hint: measure("USSD hop", base, ussd_requests(token), light, USSD_OK, hint),
                              rounds, kind="p99")
    return [throughput, latency]


def add_ussd_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--latency-connections", type=int, default=4, help="connections of the p99 run")
    parser.add_argument("--show", action="store_true", help="print the screens of one pass of the journeys")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_options(parser)
    add_ussd_options(parser)
    print_rows(run(parser.parse_args()))


if __name__ == "__main__":
    main()
