"""Schemathesis hooks for test_schemathesis.py (loaded by `SCHEMATHESIS_HOOKS`).

The auth hook gives agency operations the agency key and every other operation the
citizen's bearer token; the test passes both in the environment.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis

CITIZEN_ENV = "RABTA_TEST_CITIZEN_AUTHORIZATION"
AGENCY_ENV = "RABTA_TEST_AGENCY_AUTHORIZATION"


@schemathesis.auth(refresh_interval=None)
class CitizenOrAgency:
    def get(self, case: Any, context: Any) -> str:
        return os.environ[AGENCY_ENV if "/agency/" in context.operation.path else CITIZEN_ENV]

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": data}
