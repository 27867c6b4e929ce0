"""Benchmark (1): an inbound `STATUS` text through Twilio's webhook, signed, under gunicorn.

Each request carries a fresh MessageSid and a valid X-Twilio-Signature, is recorded,
answered from the status service and returned as TwiML; the yardstick
`bench.minimal_app` (one Redis read + write) runs in the same process setup.

    .venv/bin/python -m bench.bench_sms_inbound [--clients 8] [--requests 250]
"""

from __future__ import annotations

import argparse
import json
import uuid
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from bench.harness import Request, form, gunicorn, report, run_load
from bench.sms_common import PUBLIC, TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN, base_env, prepare, scratch_instance

PATH = "/sms/twilio"
VALIDATOR = RequestValidator(TWILIO_TOKEN)


def status_request(client: int, i: int) -> Request:
    params = {"MessageSid": f"SM{uuid.uuid4().hex}", "AccountSid": TWILIO_SID, "From": f"+92300{client:03d}{i:04d}",
              "To": TWILIO_FROM, "Body": "STATUS DOM-2026-000001", "NumMedia": "0"}
    body, headers = form(params)
    headers["X-Twilio-Signature"] = VALIDATOR.compute_signature(PUBLIC + PATH, params)
    assert urlencode(params).encode() == body
    return "POST", PATH, body, headers


def minimal_request(_client: int, _i: int) -> Request:
    return "POST", "/minimal", b"", {}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=250, help="per client")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with scratch_instance() as instance:
        env = base_env(instance)
        prepare(env)
        with gunicorn("bench.minimal_app:app", env, workers=args.workers) as url:
            run_load("warm-up", url, minimal_request, 2, 50)
            baseline = run_load("minimal flask+redis", url, minimal_request, args.clients, args.requests)
        with gunicorn("app.wsgi:app", env, workers=args.workers) as url:
            run_load("warm-up", url, status_request, 2, 25)
            result = run_load("sms STATUS via /sms/twilio", url, status_request, args.clients, args.requests,
                              ok=lambda status, body: status == 200 and b"<Message>" in body)
        summary = report([result], baseline)
        print(json.dumps({"clients": args.clients, "gunicorn_workers": args.workers, **summary}))


if __name__ == "__main__":
    main()
