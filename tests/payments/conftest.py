"""Payments tests run with the sandbox wallet, the live callback URL and 1Bill credentials configured."""

from __future__ import annotations

from typing import Any

import pytest

from app.settings import Settings


@pytest.fixture
def settings(base_settings: Settings, payment_overrides: dict[str, Any]) -> Settings:
    return base_settings.model_copy(update=payment_overrides)
