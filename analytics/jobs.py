"""The periodic refresh job (`app.scheduler`): drain the USSD log, bring every roll-up up to date, then warm
the dashboards (`analytics.cache`) when anything changed or the warmed set has expired."""

from __future__ import annotations

from analytics import public
from analytics.cache import warm
from analytics.refresh import refresh
from analytics.ussd_log import drain
from app.runtime import current


def refresh_rollups() -> dict[str, int]:
    """What moved and which hours were recomputed: all zeros (an idle run, logged at DEBUG) when quiet."""
    runtime = current()
    hours: dict[str, int] = {}
    moved = drain(runtime.db, runtime.redis)
    refresh(runtime.db, runtime.settings.TIMEZONE, hours)
    changed = sum(hours.values())
    warmed = 0
    if changed:
        warmed = warm(runtime)
    elif not runtime.redis.exists(public.CACHE_KEY):
        # Upkeep of an idle system's warmed boards is not news: an idle worker stays quiet (its line is DEBUG).
        warm(runtime, quiet=True)
    return {"ussd_log_moved": moved, "hours_recomputed": changed, "boards_warmed": warmed}
