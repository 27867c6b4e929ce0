"""The periodic refresh job (`app.scheduler`): drain the USSD log, then bring every roll-up up to date."""

from __future__ import annotations

from analytics.refresh import refresh
from analytics.ussd_log import drain
from app.runtime import current


def refresh_rollups() -> dict[str, int]:
    """What moved and which hours were recomputed: all zeros (an idle run, logged at DEBUG) when quiet."""
    runtime = current()
    hours: dict[str, int] = {}
    moved = drain(runtime.db, runtime.redis)
    refresh(runtime.db, runtime.settings.TIMEZONE, hours)
    return {"ussd_log_moved": moved, "hours_recomputed": sum(hours.values())}
