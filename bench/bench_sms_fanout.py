"""Benchmark (2): 10,000 notifications fanned out as SMS by 2 workers through the real twilio SDK.

The notifications are written to the outbox in one transaction, then one drain is
kicked; the clock runs from the kick until every outbound message is `sent` (the
fake Twilio server, a separate process, has accepted it). Two `rabta worker`
processes do the work: the drain turns outbox rows into outbound messages and
enqueues send jobs of 50; the send jobs claim, send through the twilio SDK's pooled
client and record the outcomes in one statement per batch.

    .venv/bin/python -m bench.bench_sms_fanout [--messages 10000] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from sqlalchemy import func, select

from bench.sms_common import base_env, fake_twilio_process, prepare, scratch_instance


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with scratch_instance() as instance, fake_twilio_process() as twilio_url:
        env = {**base_env(instance), "SMS_PROVIDER": "twilio", "TWILIO_API_BASE_URL": twilio_url,
               "SMS_RATE_PER_SECOND": "100000"}
        prepare(env)
        workers = [subprocess.Popen([sys.executable, "-c", "from app.cli import main; main()", "worker"],
                                    env={**os.environ, **env}) for _ in range(args.workers)]
        try:
            print(json.dumps(run(env, args.messages, args.workers)))
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    worker.kill()


def run(env: dict[str, str], count: int, worker_count: int) -> dict[str, object]:
    from app import create_app
    from app.notifications.jobs import kick_outbox
    from app.notifications.service import queue_notification
    from app.runtime import Runtime
    from app.settings import Settings
    from sms.models import OutboundMessage

    runtime: Runtime = create_app(Settings(**env)).extensions["rabta"]  # type: ignore[arg-type]
    time.sleep(3)  # let the workers finish starting
    written = time.perf_counter()
    runtime.db.publish = None  # no kick on commit: the clock starts at our own kick, below
    with runtime.db.transaction() as session:
        for i in range(count):
            queue_notification(session=session, kind="status_change", template="notify.status_change",
                               params={"tracking": f"DOM-2026-{i:06d}", "service": "Domicile certificate",
                                       "status": "Approved", "next": "Wait for collection notice."},
                               msisdn=f"+92300{i:07d}")
    outbox_seconds = time.perf_counter() - written
    started = time.perf_counter()
    kick_outbox(runtime)
    sent_query = select(func.count()).select_from(OutboundMessage).where(OutboundMessage.status == "sent")  # type: ignore[arg-type]
    all_query = select(func.count()).select_from(OutboundMessage)
    created_at = None
    while True:
        with runtime.db.engine.connect() as connection:
            sent = connection.execute(sent_query).scalar_one()
            created = connection.execute(all_query).scalar_one()
        if created_at is None and created >= count:
            created_at = time.perf_counter() - started
        if sent >= count:
            break
        if time.perf_counter() - started > 600:
            raise SystemExit(f"only {sent} of {count} sent after 600 s")
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    return {"name": "sms fan-out via twilio SDK", "messages": count, "workers": worker_count,
            "database": runtime.db.engine.dialect.name, "seconds": round(elapsed, 2),
            "messages_per_s": round(count / elapsed, 1), "outbox_drained_after_s": round(created_at or 0, 2),
            "outbox_write_s": round(outbox_seconds, 2)}


if __name__ == "__main__":
    main()
