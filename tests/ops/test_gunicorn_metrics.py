"""`/metrics` under a real gunicorn with two worker processes: what any worker counted shows once in the sum."""

from __future__ import annotations

from pathlib import Path

import requests

from tests.fixtures.ops import Processes
from tests.metrics_support import samples, value


def test_requests_served_by_either_worker_are_summed_in_one_scrape(
        processes: Processes, tmp_path: Path, demo: None) -> None:
    metrics_dir = tmp_path / "metrics"
    web = processes.web(workers=2, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir))
    before = samples(requests.get(f"{web.url}/metrics", timeout=10).text)

    for _ in range(60):  # a new connection each time, so the two workers share them
        response = requests.get(f"{web.url}/healthz", headers={"Connection": "close"}, timeout=10)
        assert response.status_code == 200
    session_id = "ATUid_gunicorn_1"
    for text in ("", "2", "2*DOM-2026-000001"):
        hop = requests.post(f"{web.url}/ussd/africastalking", timeout=10, headers={"Connection": "close"},
                            data={"sessionId": session_id, "phoneNumber": "+923001234567", "text": text,
                                  "serviceCode": "*384*786#", "networkCode": "41001"})
        assert hop.status_code == 200 and hop.text.startswith(("CON ", "END "))
    after = samples(requests.get(f"{web.url}/metrics", timeout=10).text)

    served_by = {path.stem.rsplit("_", 1)[-1] for path in metrics_dir.glob("histogram_*.db")}
    assert len(served_by) == 2, "both gunicorn workers served requests and wrote their own file"
    healthz = {"endpoint": "/healthz", "status": "200"}
    assert (value(after, "rabta_http_request_duration_seconds_count", **healthz)
            - value(before, "rabta_http_request_duration_seconds_count", **healthz)) == 60
    assert value(after, "rabta_ussd_hop_seconds_count") - value(before, "rabta_ussd_hop_seconds_count") == 3
    assert value(after, "rabta_http_request_duration_seconds_count", endpoint="/metrics") == 1, "the scrape before"
