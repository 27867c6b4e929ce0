"""A misconfigured setting ends a `rabta` command with one line (setting, value with the password hidden,
what to do) and a non-zero exit code, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from app.redis_conn import stop_embedded_server
from app.settings import ConfigurationError, Settings, hide_password
from tests.support import free_port

RABTA = [sys.executable, "-c", "from app.cli import main; main()"]
POSTGRES = os.environ.get("DATABASE_URL", "") if os.environ.get("DATABASE_URL", "").startswith("postgres") else ""


def _rabta(instance: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "PORT", "PUBLIC_BASE_URL")}
    env.update(INSTANCE_PATH=str(instance), LOG_LEVEL="WARNING", **settings)
    try:
        return subprocess.run([*RABTA, *args], env=env, capture_output=True, text=True, timeout=120)
    finally:
        stop_embedded_server(instance)


def _one_line_error(result: subprocess.CompletedProcess[str], *expected: str) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("rabta: ")]
    assert len(lines) == 1, result.stderr
    for part in expected:
        assert part in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("url", ["postgres://u:pw@db.example/rabta", "postgresql://u:pw@db.example/rabta"])
def test_postgres_urls_from_hosting_providers_use_the_psycopg_driver(url: str) -> None:
    assert Settings(DATABASE_URL=url).database_url == "postgresql+psycopg://u:pw@db.example/rabta"


def test_an_unset_public_url_follows_the_port() -> None:
    assert Settings(PORT=9000).PUBLIC_BASE_URL == "http://127.0.0.1:9000"
    assert Settings(PORT=9000, PUBLIC_BASE_URL="https://rabta.example.org/").PUBLIC_BASE_URL == \
        "https://rabta.example.org"


@pytest.mark.parametrize(("setting", "value", "named"), [
    ("PORT", "eighty", "PORT='eighty'"), ("PORT", "70000", "PORT='70000'"),
    ("DATABASE_URL", "mysql://root:hunter2@db/rabta", "DATABASE_URL=mysql://root:***@db/rabta"),
    ("REDIS_URL", "http://cache:6379", "REDIS_URL=http://cache:6379"),
    ("PUBLIC_BASE_URL", "rabta.example.org", "PUBLIC_BASE_URL='rabta.example.org'"),
])
def test_a_bad_setting_is_refused_with_its_name_and_value(setting: str, value: str, named: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        Settings(**{setting: value})
    assert named in str(refused.value) and "\n" not in str(refused.value)


def test_passwords_are_hidden_even_in_urls_that_do_not_parse() -> None:
    assert hide_password("postgresql://u:s3cret@[broken/db") == "postgresql://u:***@[broken/db"


def test_an_unparsable_database_url_is_one_line(tmp_path: Path) -> None:
    result = _rabta(tmp_path, "db", "upgrade", DATABASE_URL="postgresql://rabta:s3cret@[::1/rabta")
    line = _one_line_error(result, "DATABASE_URL=", "does not parse")
    assert "s3cret" not in result.stderr + result.stdout and "***" in line


def test_an_unreachable_database_is_one_line_with_the_password_hidden(tmp_path: Path) -> None:
    port = free_port()
    result = _rabta(tmp_path, "db", "upgrade", DATABASE_URL=f"postgres://rabta:s3cret@127.0.0.1:{port}/rabta")
    _one_line_error(result, f"127.0.0.1:{port}", "start it or fix the host and port")
    assert "s3cret" not in result.stderr + result.stdout


def test_an_unreachable_redis_is_one_line(tmp_path: Path) -> None:
    port = free_port()
    result = _rabta(tmp_path, "worker", "--burst", REDIS_URL=f"redis://:s3cret@127.0.0.1:{port}/0")
    _one_line_error(result, "REDIS_URL=redis://:***@", "leave REDIS_URL unset")
    assert "s3cret" not in result.stderr + result.stdout


def test_a_bad_redis_url_is_one_line(tmp_path: Path) -> None:
    _one_line_error(_rabta(tmp_path, "db", "upgrade", REDIS_URL="localhost:6379"), "REDIS_URL=", "not a Redis URL")


def test_a_bad_port_is_one_line(tmp_path: Path) -> None:
    _one_line_error(_rabta(tmp_path, "dev", PORT="80a"), "PORT='80a'", "1 to 65535")


@pytest.mark.skipif(not POSTGRES, reason="needs a PostgreSQL server (DATABASE_URL=postgresql...)")
def test_an_unknown_database_is_one_line_that_says_how_to_create_it(tmp_path: Path) -> None:
    url = make_url(POSTGRES).set(database="rabta_no_such_database").render_as_string(hide_password=False)
    _one_line_error(_rabta(tmp_path, "db", "upgrade", DATABASE_URL=url), "no database 'rabta_no_such_database'",
                    "createdb")


@pytest.mark.skipif(not POSTGRES, reason="needs a PostgreSQL server (DATABASE_URL=postgresql...)")
@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_plain_postgres_schemes_reach_the_server(tmp_path: Path, scheme: str) -> None:
    url = make_url(POSTGRES).set(drivername=scheme).render_as_string(hide_password=False)
    result = _rabta(tmp_path, "routes", DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    assert "/api/v1/payments" in result.stdout


def test_the_simulator_follows_the_port_and_says_in_one_line_when_nothing_answers(tmp_path: Path) -> None:
    port = free_port()
    result = _rabta(tmp_path, "ussd", "simulate", "+923001234567", PORT=str(port))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert f"nothing answers at http://127.0.0.1:{port}" in result.stderr
