"""Typed settings: the one place that reads the environment."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import SplitResult, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "dev", "secret", "dev-insecure-key", "dev-insecure-cnic-key"}
SANDBOX_DEFAULT_SECRET = "sandbox-wallet-dev-secret"


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
    # Seals CNICs at rest and keys their lookup hash (app.citizens.cnic_vault); production wants a real one.
    # Its own setting, not SECRET_KEY: signing keys rotate, and a changed CNIC key needs every CNIC re-sealed.
    CNIC_ENCRYPTION_KEY: str = "dev-insecure-cnic-key"
    PUBLIC_BASE_URL: str = ""  # empty: http://127.0.0.1:$PORT (see the first-hour block below)
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
    SANDBOX_WALLET_SECRET: str = SANDBOX_DEFAULT_SECRET
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

    # Phone simulator (/simulator): open in development; elsewhere only for console admins when enabled.
    SIMULATOR_ENABLED: bool = False
    # Simulated phones outside development use numbers from this reserved range (choose one no operator
    # assigns), and texts owed to such a number go to the simulator, never to a provider.
    SIMULATOR_NUMBER_PREFIX: str = "+92370000"
    SIMULATOR_IDLE_TIMEOUT_SECONDS: int = 60  # a USSD screen left unanswered this long is dropped, as networks do
    SIMULATOR_SERVICE_CODE: str = "*384*786#"

    # App API
    CORS_ORIGINS: str = ""
    ACCESS_TOKEN_TTL_SECONDS: int = 900
    REFRESH_TOKEN_TTL_SECONDS: int = 30 * 24 * 3600
    MAX_REQUEST_BYTES: int = 64 * 1024
    API_RATE_LIMIT_PER_MINUTE: int = 120  # per access token / agency key
    API_IP_RATE_LIMIT_PER_MINUTE: int = 600  # per client IP (many phones share a carrier NAT address)

    # Trust (README "Trust and safety"): rate limits beyond the API, outages, identity, retention
    RATE_LIMIT_FAIL_OPEN_SECONDS: int = 60  # Redis down: limits let requests through this long, then 503
    USSD_HOPS_PER_NUMBER_PER_MINUTE: int = 60
    USSD_HOPS_PER_SESSION_PER_MINUTE: int = 30
    ONEBILL_REQUESTS_PER_MINUTE: int = 600  # per bank credential
    ONEBILL_FAILED_AUTH_PER_MINUTE: int = 10  # per client address: guessing the bank's password
    PAYMENT_CALLBACKS_PER_MINUTE: int = 300  # per source address
    IDENTITY_PROVIDER: str = "sandbox"  # app.identity.registry.IDENTITY_ADAPTERS
    MESSAGE_BODY_RETENTION_DAYS: int = 30  # SMS and notification bodies are emptied after this (rows kept)
    SIM_SWAP_HOLD_HOURS: int = 24  # after a recent SIM change: PIN actions and new app sign-ins wait this long

    # Operations (README "Operations")
    LOG_FORMAT: Literal["auto", "json", "console"] = "auto"  # auto: console in development, JSON elsewhere
    METRICS_TOKEN: str | None = None  # when set, GET /metrics needs `Authorization: Bearer <token>`
    PROMETHEUS_MULTIPROC_DIR: Path | None = None  # shared by web and worker processes; default instance/metrics
    PROVIDER_LOG_RETENTION_DAYS: int = 7
    TRUSTED_PROXY_COUNT: int = 0  # proxies in front of us that set X-Forwarded-For / X-Request-ID
    AT_WEBHOOKS_ENABLED: bool = True  # Africa's Talking USSD and SMS callbacks
    OTEL_ENABLED: bool = False  # tracing (needs the `otel` extra); the exporter reads the OTEL_* variables
    OTEL_SERVICE_NAME: str = "rabta"
    REDIS_SENTINELS: str = ""  # host:port,host:port,...; when set, REDIS_URL is not used
    REDIS_SENTINEL_SERVICE: str = "rabta"
    REDIS_SENTINEL_DB: int = 0
    REDIS_SENTINEL_PASSWORD: str | None = None  # of the Redis servers (sentinels themselves: none)
    DATABASE_REPLICA_URL: str | None = None  # read-only replica for dashboards and exports

    @property
    def database_replica_url(self) -> str:
        return self.DATABASE_REPLICA_URL or self.database_url

    @property
    def metrics_dir(self) -> Path:
        return self.PROMETHEUS_MULTIPROC_DIR or self.INSTANCE_PATH / "metrics"

    @property
    def redis_sentinels(self) -> list[tuple[str, int]]:
        return [_host_port(item) for item in self.REDIS_SENTINELS.split(",") if item.strip()]

    @property
    def json_logs(self) -> bool:
        return self.LOG_FORMAT == "json" or (self.LOG_FORMAT == "auto" and self.RABTA_ENV != "development")

    # ---- Production guard rails -------------------------------------------------------------------------
    # With RABTA_ENV=production every process that builds the settings (web, worker, each `rabta` command)
    # refuses to start, listing every problem at once so an operator fixes them in one go.

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.RABTA_ENV == "production":
            problems = self.production_problems()
            if problems:
                raise ConfigurationError("Rabta will not start with RABTA_ENV=production:\n"
                                         + "\n".join(f"  - {problem}" for problem in problems))
        return self

    @model_validator(mode="after")
    def _known_time_zone(self) -> Settings:
        try:
            ZoneInfo(self.TIMEZONE)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigurationError(f"TIMEZONE={self.TIMEZONE!r} is not a time zone; use e.g. Asia/Karachi") from exc
        return self

    def production_problems(self) -> list[str]:
        checks = [
            (self.SECRET_KEY.strip().lower() in PLACEHOLDER_SECRETS,
             "SECRET_KEY is missing or a placeholder: set a long random secret"),
            (self.CNIC_ENCRYPTION_KEY.strip().lower() in PLACEHOLDER_SECRETS,
             "CNIC_ENCRYPTION_KEY is missing or a placeholder: set a long random secret (it seals CNICs at rest)"),
            (self.AT_WEBHOOKS_ENABLED and not self.AT_WEBHOOK_TOKEN,
             "AT_WEBHOOK_TOKEN is unset while the Africa's Talking routes are on (set it, or AT_WEBHOOKS_ENABLED=0)"),
            ("sandbox" in self.payment_wallets,
             "the sandbox wallet is offered (PAYMENT_PROVIDER / PAYMENT_WALLETS): configure a real wallet"),
            (self.SANDBOX_WALLET_SECRET == SANDBOX_DEFAULT_SECRET,
             "SANDBOX_WALLET_SECRET is the default: anyone could sign sandbox callbacks"),
            (self.SMS_PROVIDER == "console", "SMS_PROVIDER is the console: choose twilio or africastalking"),
            (self.database_url.startswith("sqlite"), "the database is SQLite: set DATABASE_URL to PostgreSQL"),
            (not self.REDIS_URL and not self.REDIS_SENTINELS,
             "Redis is the embedded one: set REDIS_URL or REDIS_SENTINELS"),
            (not self.PUBLIC_BASE_URL.startswith("https://"), "PUBLIC_BASE_URL is not https"),
            (self.SIMULATOR_ENABLED and not _reserved_prefix(self.SIMULATOR_NUMBER_PREFIX),
             "SIMULATOR_ENABLED without a reserved SIMULATOR_NUMBER_PREFIX (e.g. +92370000): simulated phones "
             "need a number range of their own"),
        ]
        return [message for failed, message in checks if failed]
    # ---- end of production guard rails --------------------------------------------------------------------

    # --- first-hour block (issue 16): ports, URLs and their one-line errors --------------------------
    # Each check raises ConfigurationError with one line: the setting, its value (password hidden) and
    # what to do. `rabta` prints that line and exits non-zero instead of a traceback.
    PORT: int = 8000  # where gunicorn / `rabta dev` listen

    @field_validator("PORT", mode="before")
    @classmethod
    def _port_is_a_tcp_port(cls, value: Any) -> int:
        text = str(value).strip()
        if not text.isdecimal() or not 0 < int(text) < 65536:
            raise ConfigurationError(f"PORT={value!r} is not a TCP port; use a number from 1 to 65535, e.g. PORT=9000")
        return int(text)

    @field_validator("DATABASE_URL", mode="before")
    @classmethod
    def _database_url_is_supported(cls, value: Any) -> str | None:
        return normalise_database_url(str(value)) if value else None

    @field_validator("REDIS_URL", mode="before")
    @classmethod
    def _redis_url_is_a_redis_url(cls, value: Any) -> str | None:
        if not value:
            return None
        parts = _split_url("REDIS_URL", str(value))
        if parts.scheme not in ("redis", "rediss", "unix") or (parts.scheme != "unix" and not parts.hostname):
            raise ConfigurationError(f"REDIS_URL={hide_password(str(value))} is not a Redis URL; use "
                                     "redis://host:6379/0, or leave REDIS_URL unset for the embedded Redis")
        return str(value)

    @field_validator("PUBLIC_BASE_URL", mode="before")
    @classmethod
    def _public_url_is_http(cls, value: Any) -> str:
        if not value:
            return ""
        parts = _split_url("PUBLIC_BASE_URL", str(value))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(f"PUBLIC_BASE_URL={hide_password(str(value))!r} is not an http(s) URL; set it "
                                     "to the address providers call back, e.g. https://rabta.example.org, "
                                     "or leave it unset")
        return str(value).rstrip("/")

    @model_validator(mode="after")
    def _public_url_follows_the_port(self) -> Settings:
        """Unset, the public URL is where `rabta dev` / gunicorn listens: PORT=9000 means :9000 everywhere
        (simulator, Twilio signature checks, sandbox wallet callbacks)."""
        if not self.PUBLIC_BASE_URL:
            self.PUBLIC_BASE_URL = f"http://127.0.0.1:{self.PORT}"
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


def _reserved_prefix(prefix: str) -> bool:
    """A range narrow enough to hold only simulated phones: +, a country code and at least 6 digits."""
    return prefix.startswith("+") and prefix[1:].isdigit() and len(prefix) >= 8


def _host_port(item: str) -> tuple[str, int]:
    host, _, port = item.strip().rpartition(":")
    if not host or not port.isdigit():
        raise ConfigurationError(f"REDIS_SENTINELS: {item.strip()!r} is not host:port")
    return host, int(port)

# --- first-hour block (issue 16), continued: URL helpers used by the validators above and by app.db /
# app.redis_conn to name a setting in a one-line error.
POSTGRES_DRIVER = "postgresql+psycopg"


def hide_password(url: str) -> str:
    """The URL with any password replaced by ***, even when the rest does not parse."""
    return re.sub(r"(://[^:/@\s]*:)[^@\s]*@", r"\1***@", url)


def _split_url(setting: str, value: str) -> SplitResult:
    try:
        parts = urlsplit(value)
        _ = parts.port  # raises ValueError on a non-numeric or out-of-range port
    except ValueError as exc:
        raise ConfigurationError(f"{setting}={hide_password(value)} does not parse ({exc}); fix the URL") from None
    return parts


def normalise_database_url(url: str) -> str:
    """`postgres://` and `postgresql://` (what hosting providers hand out) mean psycopg 3, the driver Rabta ships;
    SQLite and PostgreSQL only."""
    parts = _split_url("DATABASE_URL", url)
    scheme = parts.scheme.lower()
    if scheme in ("postgres", "postgresql"):
        return POSTGRES_DRIVER + url[len(parts.scheme):]
    if scheme == POSTGRES_DRIVER or scheme == "sqlite":
        return url
    example = "sqlite:///instance/rabta.sqlite3 or postgresql://user:password@host:5432/rabta"
    if scheme.startswith("postgresql+"):
        raise ConfigurationError(f"DATABASE_URL={hide_password(url)} names a driver Rabta does not install; "
                                 f"use postgresql:// (psycopg 3), e.g. {example}")
    if not scheme or "://" not in url:
        raise ConfigurationError(f"DATABASE_URL={hide_password(url)} is not a database URL; use e.g. {example}")
    raise ConfigurationError(f"DATABASE_URL={hide_password(url)}: Rabta runs on SQLite or PostgreSQL; use e.g. "
                             f"{example}")
