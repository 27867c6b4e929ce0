"""Request ids (made here or taken from a trusted proxy) follow a request into its jobs; ProxyFix; headers."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest
from flask.testing import FlaskClient

from app import create_app
from app.queue import ALL_QUEUES, REQUEST_ID_META, get_queue
from app.runtime import Runtime
from app.scheduler import tick
from app.settings import Settings

PROXY_ID = "lb-7f3a9c21-0001"


@pytest.fixture
def proxied_client(settings: Settings) -> Iterator[FlaskClient]:
    """The app behind one trusted proxy (a load balancer that sets X-Forwarded-For and X-Request-ID)."""
    app = create_app(settings.model_copy(update={"TRUSTED_PROXY_COUNT": 1}))
    with app.app_context():
        yield app.test_client()
    app.extensions["rabta"].db.dispose()


def queued_request_ids(runtime: Runtime) -> list[str | None]:
    return [job.meta.get(REQUEST_ID_META) for name in ALL_QUEUES for job in get_queue(name, runtime.redis).jobs]


def test_every_response_carries_a_request_id_we_made(client: FlaskClient) -> None:
    first, second = client.get("/healthz"), client.get("/healthz", headers={"X-Request-ID": PROXY_ID})
    assert re.fullmatch(r"[0-9a-f]{32}", first.headers["X-Request-ID"])
    assert second.headers["X-Request-ID"] not in (PROXY_ID, first.headers["X-Request-ID"]), \
        "without a trusted proxy a caller cannot choose the id"


def test_a_trusted_proxy_sets_the_request_id_and_the_client_address(
        proxied_client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="rabta.http.access"):
        response = proxied_client.get("/healthz/nope", headers={"X-Request-ID": PROXY_ID,
                                                                 "X-Forwarded-For": "203.0.113.9"})
    assert response.headers["X-Request-ID"] == PROXY_ID
    [line] = [r for r in caplog.records if r.name == "rabta.http.access"]
    assert line.client == "203.0.113.9" and line.request_id == PROXY_ID  # type: ignore[attr-defined]
    junk = proxied_client.get("/healthz", headers={"X-Request-ID": "no spaces allowed here"})
    assert junk.headers["X-Request-ID"] != "no spaces allowed here"


def test_the_request_id_follows_the_request_into_its_jobs_and_theirs(
        client: FlaskClient, runtime: Runtime, run_jobs: Callable[[], None], demo: None,
        caplog: pytest.LogCaptureFixture) -> None:
    response = client.post("/api/v1/auth/otp", json={"msisdn": "+923001234567"})
    assert response.status_code == 202
    request_id = response.headers["X-Request-ID"]
    assert queued_request_ids(runtime) == [request_id], "the outbox drain it kicked"
    with caplog.at_level(logging.INFO, logger="rabta"):
        run_jobs()
    job_lines = [r.getMessage() for r in caplog.records if r.name == "rabta.worker"]
    assert [line.split()[1] for line in job_lines] == ["app.notifications.jobs.drain_outbox", "sms.jobs.send_messages"]
    assert {r.request_id for r in caplog.records if r.name == "rabta.worker"} == {request_id}  # type: ignore[attr-defined]
    sms_line = next(r for r in caplog.records if r.name == "rabta.sms.console")
    assert sms_line.request_id == request_id  # type: ignore[attr-defined]


def test_an_idle_worker_is_quiet_and_a_busy_one_writes_a_line_per_job(
        runtime: Runtime, run_jobs: Callable[[], None], caplog: pytest.LogCaptureFixture) -> None:
    tick(runtime)  # every periodic sweep, each finding nothing to do
    with caplog.at_level(logging.INFO, logger="rabta"), caplog.at_level(logging.INFO, logger="rq"):
        run_jobs()
    assert [r for r in caplog.records if r.levelno >= logging.INFO] == []
    assert logging.getLogger("rq.worker").getEffectiveLevel() >= logging.WARNING


def test_security_headers_are_on_every_response(client: FlaskClient, settings: Settings) -> None:
    settings.PUBLIC_BASE_URL = "https://rabta.example.gov.pk"
    for response in (client.get("/no/such/page"), client.post("/ussd/africastalking", data={}),
                     client.get("/metrics"), client.get("/readyz")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert client.get("/api/v1/services").headers["Content-Security-Policy"] == \
        "default-src 'none'; frame-ancestors 'none'", "the API keeps its stricter policy"


TRACED = """
import json
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from app import create_app, tracing
from app.settings import Settings
app = create_app(Settings())
runtime = app.extensions["rabta"]
runtime.settings.OTEL_ENABLED = True
exporter = InMemorySpanExporter()
tracing.install(app, runtime, exporter=exporter)
with app.app_context():
    assert app.test_client().get("/readyz").status_code == 200
print(json.dumps([span.name for span in exporter.get_finished_spans()]))
"""
UNTRACED = """
import sys
from app import create_app
from app.settings import Settings
app = create_app(Settings())
with app.app_context():
    app.test_client().get("/readyz")
# (redis-py imports parts of the OpenTelemetry API for its own hooks when it is installed; not ours.)
ours = ("opentelemetry.instrumentation", "opentelemetry.sdk.trace", "opentelemetry.exporter")
print(sorted(name for name in sys.modules if name.startswith(ours)))
"""


def test_tracing_when_on_records_the_request_and_its_database_and_redis_calls(
        process_env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-c", TRACED], env=process_env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    names = json.loads(done.stdout.strip().splitlines()[-1])
    assert any("readyz" in name for name in names), names
    assert "PING" in names, "the Redis call"
    assert any(name.startswith(("SELECT", "connect")) for name in names), names


def test_tracing_when_off_installs_nothing(process_env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-c", UNTRACED], env=process_env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
