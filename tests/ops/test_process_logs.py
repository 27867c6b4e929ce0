"""Process logs: an idle `rabta worker` writes nothing (RQ used to write about 58 lines a minute), a busy one a
line per job and per message; the web server's development log is plain readable lines."""

from __future__ import annotations

import json
import re
import time

import requests

from app.notifications.service import queue_notification
from app.runtime import Runtime
from tests.factories import make_citizen
from tests.fixtures.ops import Processes
from tests.fixtures.payments import wait_until


def test_an_idle_worker_is_silent_and_each_job_and_message_gets_one_line(
        processes: Processes, runtime: Runtime) -> None:
    worker = processes.worker()
    time.sleep(12)  # several scheduler ticks: every periodic sweep runs at least once, finding nothing
    assert worker.output().strip() == "", worker.output()

    with runtime.db.transaction() as session:
        queue_notification(session=session, kind="status_change", template="sms.bills_more", params={"count": 2},
                           citizen=make_citizen(session, msisdn="+923001110042"))
    wait_until(lambda: "sms.jobs.send_messages" in worker.output(), timeout=30)
    processes.stop(worker)
    lines = [" ".join(json.loads(line)["message"].split(" ")[:2]) for line in worker.output().splitlines()]
    assert lines.count("SMS to") == 1 and lines.count("job sms.jobs.send_messages") == 1
    assert set(lines) == {"job app.notifications.jobs.drain_outbox", "SMS to", "job sms.jobs.send_messages"}


def test_the_web_servers_development_log_is_readable_lines(processes: Processes) -> None:
    web = processes.web(workers=1, LOG_FORMAT="console")
    requests.get(f"{web.url}/no/such/page", timeout=10)
    processes.stop(web)
    output = web.output()
    assert "Logging error" not in output and "Traceback" not in output, output
    assert re.search(r"INFO gunicorn.error: Booting worker", output)
    assert re.search(r"INFO rabta.http.access \[[0-9a-f]{12}\]: GET /no/such/page 404 \d+ ms", output), output
