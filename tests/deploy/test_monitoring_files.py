"""The shipped alert rules and dashboard are valid and only use metrics `/metrics` exports."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from flask.testing import FlaskClient
from prometheus_client import Counter, Histogram

from app import metrics
from tests.fixtures.ussd import AYESHA, UssdCall
from tests.metrics_support import samples

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ALERTS = DEPLOY / "prometheus" / "alerts.yml"
DASHBOARD = DEPLOY / "grafana" / "rabta-operations.json"
METRIC = re.compile(r"\brabta_[a-z0-9_]+")


def alert_expressions() -> list[str]:
    rules = yaml.safe_load(ALERTS.read_text())
    return [rule["expr"] for group in rules["groups"] for rule in group["rules"]]


def dashboard_expressions() -> list[str]:
    return [target["expr"] for panel in json.loads(DASHBOARD.read_text())["panels"] for target in panel["targets"]]


def declared_sample_names() -> set[str]:
    """Every sample name our metric objects can export (labelled ones appear once first used)."""
    names: set[str] = set()
    for value in vars(metrics).values():
        if isinstance(value, Counter):
            names.add(value._name + "_total")
        elif isinstance(value, Histogram):
            names.update(value._name + suffix for suffix in ("_bucket", "_count", "_sum"))
    return names


def test_promtool_accepts_the_alert_rules() -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool missing (Debian package prometheus; .ci/run installs it)")
    checked = subprocess.run([promtool, "check", "rules", str(ALERTS)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS" in checked.stdout


def test_the_alerts_cover_what_operations_asked_for() -> None:
    names = {rule["alert"] for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]}
    for wanted in ("RabtaUssdHopsSlow", "RabtaSmsDeliveryRateDropping", "RabtaOutboxBackingUp", "RabtaQueueBacklog",
                   "RabtaFailedJobs", "RabtaWebhookRefusalsSpiking"):
        assert wanted in names


def test_every_metric_the_alerts_and_dashboard_reference_is_exported(
        client: FlaskClient, demo: None, dial: Callable[..., UssdCall]) -> None:
    dial(AYESHA).send("2", "DOM-2026-000001")  # a journey, so the scrape has live series too
    scraped = {name for name, _labels in samples(client.get("/metrics").get_data(as_text=True))}
    exported = scraped | declared_sample_names()
    assert {"rabta_outbox_pending", "rabta_queue_depth", "rabta_ussd_hop_seconds_bucket"} <= scraped
    referenced = {name for expr in alert_expressions() + dashboard_expressions() for name in METRIC.findall(expr)}
    assert referenced, "the files reference our metrics"
    assert sorted(referenced - exported) == []
