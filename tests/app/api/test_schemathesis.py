"""Schemathesis against the live API and its own /openapi.json: no 5xx, every response as documented.

Every operation is exercised with generated valid and invalid inputs (examples,
coverage and fuzzing phases); an auth hook (schemathesis_hooks.py) gives citizen
operations a real access token and agency operations a real agency key. The CLI
runs in a subprocess against the app served on a loopback port by this process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from app.runtime import Runtime
from app.settings import Settings
from tests.app.api.schemathesis_hooks import AGENCY_ENV, CITIZEN_ENV
from tests.fixtures.api import agency_headers, sign_in

MAX_EXAMPLES = 12  # modest, so the suite stays fast; the coverage phase still tries every documented edge
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def settings(base_settings: Settings) -> Settings:
    """Generated traffic is fast: keep the rate limits out of its way."""
    return base_settings.model_copy(update={"API_RATE_LIMIT_PER_MINUTE": 1_000_000,
                                            "API_IP_RATE_LIMIT_PER_MINUTE": 1_000_000})


def test_every_operation_answers_as_documented(live_api: str, client: FlaskClient, runtime: Runtime,
                                               demo: None, tmp_path: Path) -> None:
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.app.api.schemathesis_hooks", "PYTHONPATH": str(ROOT),
           CITIZEN_ENV: sign_in(client, runtime, "+923001234567").headers["Authorization"],
           AGENCY_ENV: agency_headers(runtime, "PSCA")["Authorization"]}
    argv = [sys.executable, "-m", "schemathesis.cli", "run", f"{live_api}/openapi.json",
            "--checks", CHECKS, "--max-examples", str(MAX_EXAMPLES), "--phases", "examples,coverage,fuzzing",
            "--workers", "1", "--seed", "20261128", "--suppress-health-check", "all",
            "--report", "junit", "--report-dir", str(tmp_path), "--no-color"]
    result = subprocess.run(argv, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=900)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    assert "Selected: 24/24" in output and "Tested: 24" in output, output[-3000:]
    assert " 0 failed" not in output and "passed" in output
