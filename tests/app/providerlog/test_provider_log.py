"""The provider log keeps every provider exchange, redacted, filterable by errors, for the retention period."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.notifications.service import queue_notification
from app.providerlog import service
from app.providerlog.jobs import flush_buffer, purge_old_entries
from app.providerlog.models import ProviderLogEntry
from app.runtime import Runtime
from app.scheduler import tick
from app.settings import Settings
from app.timeutil import utcnow
from payments.providers.sandbox import SandboxWallet
from tests.factories import make_citizen
from tests.fixtures.sms import FakeAfricasTalking, FakeTwilio
from tests.fixtures.ussd import AYESHA, AYESHA_PIN, UssdCall
from tests.sms.conftest import AT_TOKEN, TWILIO_TOKEN, sms_overrides
from tests.support import free_port

SECRET_CODE = "482913"


@pytest.fixture
def settings(base_settings: Settings, fake_twilio: FakeTwilio, fake_at: FakeAfricasTalking) -> Settings:
    return base_settings.model_copy(update=sms_overrides(fake_twilio, fake_at))


def logged(session: Session) -> list[ProviderLogEntry]:
    flush_buffer()
    session.rollback()
    return list(session.exec(select(ProviderLogEntry).order_by(ProviderLogEntry.id)))  # type: ignore[arg-type]


def test_an_outbound_sms_is_kept_with_status_timing_and_its_code_and_number_redacted(
        runtime: Runtime, session: Session, fake_twilio: FakeTwilio, run_jobs: Callable[[], None]) -> None:
    with runtime.db.transaction() as tx:
        citizen = make_citizen(tx, msisdn="+923001234567")
        queue_notification(session=tx, kind="otp", template="otp.sms", params={"code": SECRET_CODE, "minutes": 5},
                           citizen=citizen, redis=runtime.redis)
    run_jobs()
    assert len(fake_twilio.requests) == 1 and SECRET_CODE in fake_twilio.requests[0].form["Body"]

    [entry] = logged(session)
    assert (entry.direction, entry.provider, entry.method, entry.status) == ("out", "twilio", "POST", 201)
    assert entry.path.endswith("/Messages.json") and entry.elapsed_ms >= 0 and not entry.is_error
    assert "+92300****567" in entry.request_body and "******" in entry.request_body
    stored = entry.request_body + entry.response_body + entry.path
    for secret in (SECRET_CODE, "3001234567", TWILIO_TOKEN):
        assert secret not in stored
    assert entry.request_id, "the job ran under a request id, and its provider calls carry it"


def test_a_ussd_webhook_is_kept_without_its_token_pin_or_number(
        client: FlaskClient, session: Session, demo: None, dial: Callable[..., UssdCall]) -> None:
    call = dial(AYESHA, token=AT_TOKEN)
    call.send("1", "10000000000000001", "1", AYESHA_PIN)
    entries = logged(session)
    assert len(entries) == 5 and {e.direction for e in entries} == {"in"}
    last = entries[-1]
    assert last.provider == "africastalking" and last.status == 200
    assert last.path == "/ussd/africastalking?token=[redacted]"
    assert "10000000000000001" in last.request_body, "the PSID is not a secret and helps support"
    assert last.response_body.startswith("END ")
    everything = " ".join(e.path + e.request_body + e.response_body for e in entries)
    for secret in (AT_TOKEN, "3001234567"):
        assert secret not in everything
    assert not re.search(rf"\b{AYESHA_PIN}\b", everything), "the PIN inside the USSD text is masked"


def test_the_error_filter_and_the_cli_show_only_failed_exchanges(
        app: Flask, client: FlaskClient, session: Session, settings: Settings) -> None:
    wallet = SandboxWallet(base_url=f"http://127.0.0.1:{free_port()}", secret="s", timeout=2)
    with pytest.raises(Exception, match="unreachable"):
        wallet.query_charge(merchant_reference="PABC", provider_reference=None)
    client.post("/sms/africastalking?token=wrong", data={"from": "+923001234567", "id": "1", "text": "HELP"})
    client.post(f"/sms/africastalking?token={AT_TOKEN}", data={"from": "+923001234567", "id": "2", "text": "HELP"})
    logged(session)

    with session:
        errors = service.entries(session=session, errors_only=True)
    assert sorted((e.provider, e.status, e.error) for e in errors) == [
        ("africastalking", 403, None), ("sandbox", None, "ConnectionError")]

    result = CliRunner().invoke(app.cli, ["providers", "log", "--errors"], obj=None)
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 2
    assert "ConnectionError" in result.output and " 403 " in result.output
    everything = CliRunner().invoke(app.cli, ["providers", "log", "--provider", "africastalking", "--bodies"])
    assert everything.output.count("/sms/africastalking") == 2 and "wrong" not in everything.output


def test_entries_older_than_the_retention_period_are_purged(
        runtime: Runtime, session: Session, settings: Settings) -> None:
    settings.PROVIDER_LOG_RETENTION_DAYS = 7
    now = utcnow()
    with runtime.db.transaction() as tx:
        for age in (timedelta(days=8), timedelta(days=7, minutes=1), timedelta(days=6, hours=23), timedelta(0)):
            tx.add(ProviderLogEntry(created_at=now - age, direction="out", provider="twilio", method="POST",
                                    path="/x", status=201))
    assert purge_old_entries() == 2
    session.rollback()
    kept = session.exec(select(ProviderLogEntry)).all()
    assert len(kept) == 2 and all(now - e.created_at < timedelta(days=7) for e in kept)


def test_the_worker_flushes_and_purges_on_a_schedule(runtime: Runtime) -> None:
    released = tick(runtime)
    assert "provider-log-flush" in released and "provider-log-purge" in released
