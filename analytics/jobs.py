"""The periodic refresh job (`app.scheduler`): drain the USSD log, then bring every roll-up up to date."""

from __future__ import annotations

from analytics.refresh import refresh
from analytics.ussd_log import drain
from app.runtime import current


def refresh_rollups() -> int:
    runtime = current()
    moved = drain(runtime.db, runtime.redis)
    refresh(runtime.db, runtime.settings.TIMEZONE)
    return moved + 1  # always "did something": one log line per run
