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


def test_production_starts_with_a_real_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RABTA_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "f3b1c9e0a7d24e6b8c5f0a1d2e3b4c5d")
    assert Settings().RABTA_ENV == "production"
