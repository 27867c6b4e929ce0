"""Shared set-up for the SMS benchmarks: a scratch database, demo data, a fake Twilio process."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support import free_port

TWILIO_SID = "AC" + "b" * 32
TWILIO_TOKEN = "bench-twilio-token"
TWILIO_FROM = "+15005550006"
PUBLIC = "https://rabta.bench"


def base_env(instance: Path) -> dict[str, str]:
    """Environment for gunicorn / workers: scratch SQLite unless DATABASE_URL is set, REDIS_URL db 3 by default."""
    env = {
        "RABTA_ENV": "development", "INSTANCE_PATH": str(instance),
        "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3"),
        "PUBLIC_BASE_URL": PUBLIC, "TWILIO_ACCOUNT_SID": TWILIO_SID, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_FROM": TWILIO_FROM, "SMS_INBOUND_LIMIT_PER_HOUR": "100000000",
    }
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    return env


@contextmanager
def scratch_instance() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="rabta-bench-sms-") as folder:
        yield Path(folder)


def prepare(env: dict[str, str]) -> None:
    """Migrate, empty Redis, seed the demo data."""
    from app.migrate import upgrade
    from app.seed import seed_demo
    from app.settings import Settings

    settings = Settings(**{k: v for k, v in env.items() if k in Settings.model_fields})  # type: ignore[arg-type]
    upgrade(settings.database_url)
    from app import create_app
    from app.runtime import Runtime

    runtime: Runtime = create_app(settings).extensions["rabta"]
    runtime.redis.flushdb()
    from sqlalchemy import text

    from app.models import load_all_models, metadata

    load_all_models()
    with runtime.db.engine.begin() as connection:  # a reused PostgreSQL database starts empty too
        for table in reversed(metadata.sorted_tables):
            connection.execute(text(f'DELETE FROM "{table.name}"'))
    with runtime.db.transaction() as session:
        seed_demo(session=session)
    runtime.db.dispose()


@contextmanager
def fake_twilio_process() -> Iterator[str]:
    port = free_port()
    code = f"from tests.fixtures.sms import serve_lean; serve_lean('twilio', {port})"
    process = subprocess.Popen([sys.executable, "-c", code])
    try:
        time.sleep(0.8)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
