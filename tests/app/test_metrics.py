"""Metrics move as journeys run, and `/metrics` is protected when a token is set."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from app.notifications.service import queue_notification
from app.runtime import Runtime
from app.settings import Settings
from tests.factories import make_citizen
from tests.fixtures.ussd import AYESHA, AYESHA_PIN, UssdCall
from tests.metrics_support import samples, value


def scrape(client: FlaskClient, **headers: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    return samples(response.get_data(as_text=True))


def test_a_ussd_payment_journey_moves_hop_session_http_and_payment_metrics(
        client: FlaskClient, demo: None, dial: Callable[..., UssdCall]) -> None:
    before = scrape(client)
    call = dial(AYESHA)
    done = call.send("1", "10000000000000001", "1", AYESHA_PIN)
    assert done.startswith("END ")
    assert call.end("Success").status_code == 200
    after = scrape(client)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("rabta_ussd_hop_seconds_count") == 5, "the first screen and four answers"
    assert moved("rabta_ussd_hop_seconds_count", screen="home") >= 1
    assert moved("rabta_ussd_sessions_total", outcome="success") == 1
    assert moved("rabta_http_request_duration_seconds_count", endpoint="/ussd/africastalking", status="200") == 5
    assert moved("rabta_payments_total", rail="wallet", channel="ussd", status="initiated") == 1


def test_refused_webhooks_are_counted_by_source_and_reason(client: FlaskClient, settings: Settings) -> None:
    settings.AT_WEBHOOK_TOKEN = "right-token"
    before = scrape(client)
    assert client.post("/ussd/africastalking?token=wrong", data={"sessionId": "x"}).status_code == 403
    assert client.post("/sms/twilio", data={"From": "+923001234567"}).status_code == 403
    assert client.post("/payments/callbacks/sandbox", data=b"{}").status_code == 401
    after = scrape(client)
    for source, reason in [("africastalking", "bad_token"), ("twilio", "bad_signature"),
                           ("sandbox", "bad_signature")]:
        moved = (value(after, "rabta_webhook_refused_total", source=source, reason=reason)
                 - value(before, "rabta_webhook_refused_total", source=source, reason=reason))
        assert moved == 1, (source, reason)


def test_the_outbox_gauges_show_the_backlog_and_sending_clears_it(
        client: FlaskClient, runtime: Runtime, run_jobs: Callable[[], None]) -> None:
    with runtime.db.transaction() as session:
        citizen = make_citizen(session, msisdn="+923001110099")
        for i in range(3):
            queue_notification(session=session, kind="status_change", template="sms.bills_more",
                               params={"count": i}, citizen=citizen)
    backed_up = scrape(client)
    assert value(backed_up, "rabta_outbox_pending") == 3
    assert value(backed_up, "rabta_outbox_oldest_pending_seconds") >= 0
    assert value(backed_up, "rabta_queue_depth", queue="notifications") >= 1
    sent_before = value(backed_up, "rabta_sms_sent_total", provider="console", status="sent")
    run_jobs()
    drained = scrape(client)
    assert value(drained, "rabta_outbox_pending") == 0
    assert value(drained, "rabta_outbox_oldest_pending_seconds") == 0
    assert value(drained, "rabta_queue_depth") == 0
    assert value(drained, "rabta_sms_sent_total", provider="console", status="sent") - sent_before == 3
    assert value(drained, "rabta_jobs_total", queue="sms", status="succeeded") >= 1


def test_label_values_never_carry_numbers_or_ids(
        client: FlaskClient, demo: None, dial: Callable[..., UssdCall]) -> None:
    dial(AYESHA).send("2", "DOM-2026-000001")
    client.get("/api/v1/requests/DOM-2026-000001")
    text = client.get("/metrics").get_data(as_text=True)
    assert "3001234567" not in text and "DOM-2026-000001" not in text
    assert 'endpoint="/api/v1/requests/<tracking>"' in text, "routes, not paths, label HTTP metrics"


@pytest.mark.parametrize(("header", "status"), [(None, 401), ("Bearer wrong", 401), ("Bearer s3cret-scrape", 200)])
def test_metrics_need_the_bearer_token_when_one_is_set(
        client: FlaskClient, settings: Settings, header: str | None, status: int) -> None:
    settings.METRICS_TOKEN = "s3cret-scrape"
    response = client.get("/metrics", headers={"Authorization": header} if header else {})
    assert response.status_code == status
    if status == 401:
        assert "rabta_" not in response.get_data(as_text=True)


def test_metrics_are_not_in_the_public_api_document(client: FlaskClient) -> None:
    assert "/metrics" not in client.get("/openapi.json").get_data(as_text=True)
