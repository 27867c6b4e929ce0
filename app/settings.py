"""Typed settings: the one place that reads the environment."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "dev", "secret", "dev-insecure-key"}


class ConfigurationError(RuntimeError):
    """Raised at start-up when the settings cannot run the requested environment."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=True)

    RABTA_ENV: Literal["development", "test", "production"] = "development"
    INSTANCE_PATH: Path = Field(default_factory=lambda: Path.cwd() / "instance")
    DATABASE_URL: str | None = None
    REDIS_URL: str | None = None
    SECRET_KEY: str = "dev-insecure-key"
    SECRET_KEY_PREVIOUS: str | None = None
    PUBLIC_BASE_URL: str = "http://127.0.0.1:8000"
    DEFAULT_REGION: str = "PK"
    DEFAULT_CURRENCY: str = "PKR"
    DEFAULT_LANGUAGE: Literal["en", "ur", "ur-Latn"] = "en"
    # The deployment's time zone: due dates, 1Bill transaction dates and "today" are dates here.
    TIMEZONE: str = "Asia/Karachi"
    LOG_LEVEL: str = "INFO"
    # Ordered: the first queue a worker listens on is served first.
    WORKER_QUEUES: str = ""

    # Payments
    PAYMENT_PROVIDER: str = "sandbox"  # the default wallet
    PAYMENT_WALLETS: str = ""  # comma-separated wallets a payer may choose; default: PAYMENT_PROVIDER only
    SANDBOX_WALLET_URL: str = "http://127.0.0.1:8100"
    SANDBOX_WALLET_SECRET: str = "sandbox-wallet-dev-secret"
    PAYMENT_PENDING_POLL_AFTER_SECONDS: int = 60
    PAYMENT_EXPIRE_AFTER_SECONDS: int = 900
    ONEBILL_USERNAME: str | None = None
    ONEBILL_PASSWORD: str | None = None
    PAYMENT_PROVIDER_TIMEOUT_SECONDS: float = 10.0
    PAYMENT_CALLBACK_TOLERANCE_SECONDS: int = 300
    PAYMENT_RECONCILE_LOOKBACK_HOURS: int = 48

    # USSD / Africa's Talking webhooks
    AT_WEBHOOK_TOKEN: str | None = None
    USSD_SESSION_TTL_SECONDS: int = 180
    USSD_RESUME_WINDOW_SECONDS: int = 300

    # SMS
    SMS_PROVIDER: str = "console"  # one of sms.providers.SMS_ADAPTERS
    SMS_FALLBACK_PROVIDER: str | None = None
    SMS_RATE_PER_SECOND: float = 50.0
    SMS_INBOUND_LIMIT_PER_HOUR: int = 30
    TWILIO_ACCOUNT_SID: str | None = None
    TWILIO_AUTH_TOKEN: str | None = None
    TWILIO_FROM: str | None = None
    TWILIO_API_BASE_URL: str | None = None
    AT_USERNAME: str | None = None
    AT_API_KEY: str | None = None
    AT_SENDER_ID: str | None = None
    AT_API_BASE_URL: str | None = None

    # App API
    CORS_ORIGINS: str = ""
    ACCESS_TOKEN_TTL_SECONDS: int = 900
    REFRESH_TOKEN_TTL_SECONDS: int = 30 * 24 * 3600
    MAX_REQUEST_BYTES: int = 64 * 1024
    API_RATE_LIMIT_PER_MINUTE: int = 120  # per access token / agency key
    API_IP_RATE_LIMIT_PER_MINUTE: int = 600  # per client IP (many phones share a carrier NAT address)

    @model_validator(mode="after")
    def _refuse_weak_secret_in_production(self) -> Settings:
        if self.RABTA_ENV == "production" and self.SECRET_KEY.strip().lower() in PLACEHOLDER_SECRETS:
            raise ConfigurationError("SECRET_KEY must be set to a real secret when RABTA_ENV=production")
        return self

    @model_validator(mode="after")
    def _known_time_zone(self) -> Settings:
        try:
            ZoneInfo(self.TIMEZONE)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigurationError(f"TIMEZONE={self.TIMEZONE!r} is not a time zone; use e.g. Asia/Karachi") from exc
        return self

    @property
    def database_url(self) -> str:
        if self.DATABASE_URL:
            return self.DATABASE_URL
        return f"sqlite:///{self.INSTANCE_PATH / 'rabta.sqlite3'}"

    @property
    def payment_wallets(self) -> list[str]:
        named = [name.strip() for name in self.PAYMENT_WALLETS.split(",") if name.strip()]
        return list(dict.fromkeys([self.PAYMENT_PROVIDER, *named])) if named else [self.PAYMENT_PROVIDER]

    @property
    def onebill_enabled(self) -> bool:
        return bool(self.ONEBILL_USERNAME and self.ONEBILL_PASSWORD)

    @property
    def cors_origins(self) -> list[str]:
        return [o.strip() for o in self.CORS_ORIGINS.split(",") if o.strip()]
