"""Shared fixtures: a migrated database, a real Redis, the app, a real RQ worker."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlmodel import Session

from app import create_app
from app.migrate import upgrade
from app.models import load_all_models, metadata
from app.runtime import Runtime
from app.settings import Settings
from tests.support import become_subreaper, scratch_database, wait_for_no_descendants

load_all_models()

# Channel packages keep their own fixtures in tests/fixtures/<area>.py.
pytest_plugins = [
    "tests.fixtures.payments",
    "tests.fixtures.ussd",
    "tests.fixtures.sms",
    "tests.fixtures.api",
    "tests.fixtures.channels",
    "tests.fixtures.ops",
    "tests.fixtures.browser",
]


@pytest.fixture(scope="session", autouse=True)
def no_process_outlives_the_tests() -> Iterator[None]:
    """The suite ends with no child process alive: every worker, server or daemon a test started is stopped
    by the test (this fixture is set up first, so it checks after every other fixture has cleaned up)."""
    become_subreaper()
    yield
    left = wait_for_no_descendants(timeout=15)
    if left:
        listing = "; ".join(f"{pid}: {command[:200]}" for pid, command in sorted(left.items()))
        pytest.fail(f"the test run left {len(left)} process(es) running (now killed): {listing}")


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from app.redis_conn import stop_embedded_server

    path = tmp_path_factory.mktemp("instance")
    yield path
    stop_embedded_server(path)  # only answers if the embedded Redis was used


@pytest.fixture(scope="session")
def database_url(instance_dir: Path) -> Iterator[str]:
    with scratch_database(instance_dir) as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def base_settings(instance_dir: Path, database_url: str) -> Settings:
    return Settings(
        RABTA_ENV="test", INSTANCE_PATH=instance_dir, DATABASE_URL=database_url,
        REDIS_URL=os.environ.get("REDIS_URL") or None, SECRET_KEY="test-secret-key-0123456789",
        PUBLIC_BASE_URL="http://rabta.test", LOG_LEVEL="WARNING",
    )


@pytest.fixture
def settings(base_settings: Settings) -> Settings:
    """Per-test settings; override with `settings.model_copy(update=...)` in a test's own fixture."""
    return base_settings.model_copy()


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    flask_app = create_app(settings)
    runtime: Runtime = flask_app.extensions["rabta"]
    _reset_state(runtime)
    with flask_app.app_context():
        yield flask_app
    runtime.db.dispose()


@pytest.fixture
def runtime(app: Flask) -> Runtime:
    rt: Runtime = app.extensions["rabta"]
    return rt


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def session(runtime: Runtime) -> Iterator[Session]:
    """A plain session for arranging and asserting; commit explicitly."""
    db_session = runtime.db.session()
    yield db_session
    db_session.close()


@pytest.fixture
def demo(runtime: Runtime) -> None:
    from app.seed import seed_demo

    with runtime.db.transaction() as db_session:
        seed_demo(session=db_session)


@pytest.fixture
def run_jobs(runtime: Runtime):  # type: ignore[no-untyped-def]
    """Run every queued job with a real RQ worker (burst mode) in this process."""
    from app.worker import build_worker

    def _run() -> None:
        build_worker(runtime).work(burst=True, with_scheduler=False, logging_level="WARNING")

    return _run


@pytest.fixture
def worker_process(settings: Settings) -> Iterator[subprocess.Popen[bytes]]:
    """A real `rabta worker` in its own process, against this test's database and Redis."""
    env = _process_env(settings)
    process = subprocess.Popen([sys.executable, "-c", "from app.cli import main; main()", "worker"], env=env)
    yield process
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def _process_env(settings: Settings) -> dict[str, str]:
    from app.redis_conn import embedded_url

    env = dict(os.environ)
    for key, value in settings.model_dump().items():
        if value is not None:
            env[key] = str(value)
    if not settings.REDIS_URL:
        env["REDIS_URL"] = embedded_url(settings.INSTANCE_PATH.resolve())
    return env


@pytest.fixture
def process_env(settings: Settings) -> dict[str, str]:
    """Environment for a subprocess (worker, gunicorn) sharing this test's database and Redis."""
    return _process_env(settings)


def _reset_state(runtime: Runtime) -> None:
    """Every test starts from empty tables and an empty Redis database."""
    runtime.redis.flushdb()
    with runtime.db.engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            # The audit log refuses row deletes on PostgreSQL (append-only trigger); TRUNCATE is not one.
            verb = "TRUNCATE" if table.name == "audit_log" and not runtime.db.is_sqlite else "DELETE FROM"
            connection.execute(text(f'{verb} "{table.name}"'))
