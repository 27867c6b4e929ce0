"""Every HTTP-path benchmark of issue 15 in sequence, then one table: path, floor req/s, path req/s, ratio,
target, verdict, p99s. Each row alternates floor and path runs (same wrk and gunicorn settings, both servers
up) and reports the median ratio of its rounds, so a slow minute on the machine cannot fake or hide a verdict.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python -m bench.all [--quick] [--only ussd,api,sms,1bill]

Not here (not HTTP loads): SMS fan-out (bench.bench_sms_fanout) and payment start -> succeeded
(bench.bench_payments without --skip-end-to-end).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
from collections.abc import Callable

from bench import bench_api, bench_payments, bench_sms_inbound, bench_ussd
from bench.harness import ROOT, Row, add_options, print_rows

BENCHES: dict[str, Callable[[argparse.Namespace], list[Row]]] = {
    "ussd": bench_ussd.run, "api": bench_api.run, "sms": bench_sms_inbound.run, "1bill": bench_payments.run,
}


def _commit() -> str:
    try:
        return subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_options(parser)
    bench_ussd.add_ussd_options(parser)
    parser.add_argument("--only", default=",".join(BENCHES), help=f"comma-separated, of {', '.join(BENCHES)}")
    options = parser.parse_args()
    chosen = [name.strip() for name in options.only.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in BENCHES]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    began, load_before, commit = time.monotonic(), os.getloadavg(), _commit()
    rows: list[Row] = []
    for name in chosen:
        rows += BENCHES[name](options)
        print(flush=True)
    load_after = os.getloadavg()
    print(f"# summary: commit {commit}, {'quick' if options.quick else f'{options.seconds:g} s'} runs, "
          f"{(time.monotonic() - began) / 60:.1f} min; load average at start {load_before[0]:.2f}, "
          f"at end {load_after[0]:.2f} ({os.cpu_count()} CPUs)")
    print_rows(rows)


if __name__ == "__main__":
    main()
