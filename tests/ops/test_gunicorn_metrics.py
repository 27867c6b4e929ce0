"""`/metrics` under a real gunicorn with two worker processes: what any worker counted shows once in the sum."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tests.fixtures.ops import Processes
from tests.metrics_support import samples, value

BATCH = 20


def _workers_that_wrote(metrics_dir: Path) -> set[str]:
    return {path.stem.rsplit("_", 1)[-1] for path in metrics_dir.glob("histogram_*.db")}


def test_requests_served_by_either_worker_are_summed_in_one_scrape(
        processes: Processes, tmp_path: Path, demo: None) -> None:
    metrics_dir = tmp_path / "metrics"
    web = processes.web(workers=2, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir))
    before = samples(requests.get(f"{web.url}/metrics", timeout=10).text)

    def probe(_: int) -> int:  # a new connection each time, so both workers get some
        return requests.get(f"{web.url}/healthz", headers={"Connection": "close"}, timeout=10).status_code

    sent = 0
    with ThreadPoolExecutor(max_workers=8) as pool:
        while len(_workers_that_wrote(metrics_dir)) < 2 and sent < 50 * BATCH:
            assert set(pool.map(probe, range(BATCH))) == {200}
            sent += BATCH
    assert len(_workers_that_wrote(metrics_dir)) == 2, "both gunicorn workers served requests"
    for text in ("", "2", "2*DOM-2026-000001"):
        hop = requests.post(f"{web.url}/ussd/africastalking", timeout=10, headers={"Connection": "close"},
                            data={"sessionId": "ATUid_gunicorn_1", "phoneNumber": "+923001234567", "text": text,
                                  "serviceCode": "*384*786#", "networkCode": "41001"})
        assert hop.status_code == 200 and hop.text.startswith(("CON ", "END "))
    after = samples(requests.get(f"{web.url}/metrics", timeout=10).text)

    healthz = {"endpoint": "/healthz", "status": "200"}
    assert (value(after, "rabta_http_request_duration_seconds_count", **healthz)
            - value(before, "rabta_http_request_duration_seconds_count", **healthz)) == sent
    assert value(after, "rabta_ussd_hop_seconds_count") - value(before, "rabta_ussd_hop_seconds_count") == 3
    assert value(after, "rabta_http_request_duration_seconds_count", endpoint="/metrics") == 1, "the scrape before"
