"""The console provider prints codes in clear in development only (never in test or production)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from app.settings import ConfigurationError, Settings
from sms.providers import SmsProviders
from sms.providers.console import TRANSCRIPT_FILE, read_transcript

OTP_BODY = "Your Rabta sign-in code is 482913. It expires in 5 minutes. Never share it."


def _send(settings: Settings, caplog: pytest.LogCaptureFixture) -> tuple[str, str]:
    provider = SmsProviders(settings).sender("console")
    with caplog.at_level(logging.INFO, logger="rabta.sms.console"):
        result = provider.send(to="+923001234567", body=OTP_BODY, kind="otp")
    return result.provider_message_id, caplog.text


def test_outside_development_codes_are_masked_and_nothing_is_written(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(RABTA_ENV="test", INSTANCE_PATH=tmp_path, SECRET_KEY="a-real-secret-0123456789abcdef")
    _, output = _send(settings, caplog)
    assert "482913" not in output and "******" in output and "+92300****567" in output
    assert not (tmp_path / TRANSCRIPT_FILE).exists()


def test_production_never_runs_the_console_provider_at_all() -> None:
    with pytest.raises(ConfigurationError, match="SMS_PROVIDER is the console"):
        Settings(RABTA_ENV="production", SMS_PROVIDER="console")


def test_in_development_the_code_is_printed_and_kept_for_outbox_tail(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    message_id, output = _send(Settings(RABTA_ENV="development", INSTANCE_PATH=tmp_path), caplog)
    assert "sign-in code is 482913" in output and "+923001234567" not in output
    assert read_transcript(tmp_path / TRANSCRIPT_FILE) == {message_id: OTP_BODY}
