"""An inbound `STATUS` text through Twilio's webhook, signed, under wrk at 64 connections, beside the floor
(`bench.minimal_app`, one Redis read and one write) run with the same wrk and gunicorn settings.

Each request carries its own MessageSid (the webhook dedupes on it) and sender, and a valid
X-Twilio-Signature computed here; the app records it, answers from the status service and replies
with TwiML.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python -m bench.bench_sms_inbound [--quick]

Target (issue 15): >= 0.5x the floor.
"""

from __future__ import annotations

import argparse
import tempfile
import uuid
from pathlib import Path

from twilio.request_validator import RequestValidator

from bench.harness import (
    REFUSED_BODIES,
    Expect,
    Request,
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
from bench.sms_common import PUBLIC, TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN, prepare
from tests.support import scratch_database

PATH = "/sms/twilio"
VALIDATOR = RequestValidator(TWILIO_TOKEN)


# The demo citizens asking about their own applications (anyone else is told there is no such application).
ASKS = [("+923001234567", "DOM-2026-000001"), ("+923001234567", "PSP-2026-000002"),
        ("+923331234567", "BRC-2026-000003")]
SMS_OK = Expect(status=200, contains=("<Message>", "-2026-00000"), refused=(*REFUSED_BODIES, "No application"))


def status_text(sender: str, tracking: str) -> Request:
    params = {"MessageSid": f"SM{uuid.uuid4().hex}", "AccountSid": TWILIO_SID, "From": sender,
              "To": TWILIO_FROM, "Body": f"STATUS {tracking}", "NumMedia": "0"}
    return form_post(PATH, params, {"X-Twilio-Signature": VALIDATOR.compute_signature(PUBLIC + PATH, params)})


def status_texts(threads: int, per_thread: int) -> list[list[Request]]:
    """Every request a new MessageSid (and so a new signature)."""
    return [[status_text(*ASKS[(thread + i) % len(ASKS)]) for i in range(per_thread)] for thread in range(threads)]


def run(options: argparse.Namespace) -> list[Row]:
    server, load = server_from(options), load_from(options)
    with tempfile.TemporaryDirectory(prefix="rabta-bench-sms-") as tmp, scratch_database(Path(tmp)) as url:
        banner("SMS inbound", server, load, url)
        env = app_env(Path(tmp), url, PUBLIC_BASE_URL=PUBLIC, TWILIO_ACCOUNT_SID=TWILIO_SID,
                      TWILIO_AUTH_TOKEN=TWILIO_TOKEN, TWILIO_FROM=TWILIO_FROM)
        prepare(env)
        with serve("bench.minimal_app:app", env, server) as bare, serve("app.wsgi:app", env, server) as base:
            return [compare("SMS inbound STATUS (Twilio)", 0.5, lambda: floor(bare, load, "POST"),
                            lambda hint: measure("SMS STATUS via /sms/twilio", base, status_texts, load, SMS_OK, hint),
                            rounds_from(options))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_options(parser)
    print_rows(run(parser.parse_args()))


if __name__ == "__main__":
    main()
