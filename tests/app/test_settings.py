from __future__ import annotations

import pytest

from app.settings import ConfigurationError, Settings


def test_defaults_suit_a_local_run_in_pakistan(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "RABTA_ENV", "DEFAULT_REGION", "DEFAULT_CURRENCY"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.DEFAULT_REGION == "PK" and settings.DEFAULT_CURRENCY == "PKR"
    assert settings.DEFAULT_LANGUAGE == "en"
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith("rabta.sqlite3")
    assert settings.REDIS_URL is None


def test_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db/rabta")
    monkeypatch.setenv("DEFAULT_LANGUAGE", "ur-Latn")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://db/rabta"
    assert settings.DEFAULT_LANGUAGE == "ur-Latn"


@pytest.mark.parametrize("secret", [None, "", "change-me", "dev-insecure-key"])
def test_production_refuses_to_start_without_a_real_secret_key(
    monkeypatch: pytest.MonkeyPatch, secret: str | None
) -> None:
    monkeypatch.setenv("RABTA_ENV", "production")
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(ConfigurationError):
        Settings()


PRODUCTION = {
    "RABTA_ENV": "production", "SECRET_KEY": "f3b1c9e0a7d24e6b8c5f0a1d2e3b4c5d", "AT_WEBHOOK_TOKEN": "at-7d1c93e0b2",
    "PAYMENT_PROVIDER": "jazzcash", "SANDBOX_WALLET_SECRET": "9c1f5e2a7b3d", "SMS_PROVIDER": "twilio",
    "DATABASE_URL": "postgresql+psycopg://rabta@db/rabta", "REDIS_URL": "redis://cache:6379/0",
    "PUBLIC_BASE_URL": "https://rabta.example.gov.pk", "CNIC_ENCRYPTION_KEY": "6d2a9f41c07e4b3a8e15d9c2b7f0a364",
}


def _production(monkeypatch: pytest.MonkeyPatch, **changes: str | None) -> None:
    for name, value in {**PRODUCTION, **changes}.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)


def test_production_starts_when_every_guard_rail_is_satisfied(monkeypatch: pytest.MonkeyPatch) -> None:
    _production(monkeypatch)
    assert Settings().RABTA_ENV == "production"


@pytest.mark.parametrize(("changes", "named"), [
    ({"AT_WEBHOOK_TOKEN": None}, "AT_WEBHOOK_TOKEN is unset while the Africa's Talking routes are on"),
    ({"PAYMENT_PROVIDER": "sandbox"}, "the sandbox wallet is offered"),
    ({"SANDBOX_WALLET_SECRET": None}, "SANDBOX_WALLET_SECRET is the default"),
    ({"SMS_PROVIDER": "console"}, "SMS_PROVIDER is the console"),
    ({"DATABASE_URL": "sqlite:////srv/rabta.sqlite3"}, "the database is SQLite"),
    ({"DATABASE_URL": None}, "the database is SQLite"),
    ({"REDIS_URL": None}, "Redis is the embedded one"),
    ({"PUBLIC_BASE_URL": "http://rabta.example.gov.pk"}, "PUBLIC_BASE_URL is not https"),
    ({"SECRET_KEY": "change-me"}, "SECRET_KEY is missing or a placeholder"),
    ({"CNIC_ENCRYPTION_KEY": None}, "CNIC_ENCRYPTION_KEY is missing or a placeholder"),
    ({"CNIC_ENCRYPTION_KEY": "changeme"}, "CNIC_ENCRYPTION_KEY is missing or a placeholder"),
])
def test_production_refuses_each_unsafe_setting_by_name(
        monkeypatch: pytest.MonkeyPatch, changes: dict[str, str | None], named: str) -> None:
    _production(monkeypatch, **changes)
    with pytest.raises(ConfigurationError) as refused:
        Settings()
    assert named in str(refused.value)
    assert len(str(refused.value).splitlines()) == 2, "one heading and exactly the one problem"


def test_production_lists_every_problem_in_one_message(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PRODUCTION:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RABTA_ENV", "production")
    with pytest.raises(ConfigurationError) as refused:
        Settings()
    lines = str(refused.value).splitlines()
    assert lines[0] == "Rabta will not start with RABTA_ENV=production:"
    assert len(lines) == 1 + 9, lines
    assert all(line.startswith("  - ") for line in lines[1:])


def test_africas_talking_routes_switched_off_need_no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    _production(monkeypatch, AT_WEBHOOK_TOKEN=None, AT_WEBHOOKS_ENABLED="0")
    assert Settings().AT_WEBHOOKS_ENABLED is False


def test_sentinels_with_the_redis_service_are_enough_redis_for_production(monkeypatch: pytest.MonkeyPatch) -> None:
    _production(monkeypatch, REDIS_URL=None, REDIS_SENTINELS="10.0.0.1:26379,10.0.0.2:26379")
    assert Settings().redis_sentinels == [("10.0.0.1", 26379), ("10.0.0.2", 26379)]
