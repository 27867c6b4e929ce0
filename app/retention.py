"""Retention: what Rabta keeps, and for how long (README "Retention").

Message bodies (inbound and outbound SMS, outbox notifications) are emptied after
`MESSAGE_BODY_RETENTION_DAYS` (30); the rows stay, with kind, status, times and provider ids, so the counts
analytics needs survive. Provider log entries are deleted after `PROVIDER_LOG_RETENTION_DAYS` (7,
`app.providerlog`). USSD session snapshots live only in Redis and expire on their own
(`USSD_SESSION_TTL_SECONDS`, `USSD_RESUME_WINDOW_SECONDS`). The periodic job runs hourly.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col

from app.notifications.models import Notification
from app.runtime import current
from app.timeutil import utcnow
from sms.models import InboundMessage, OutboundMessage

log = logging.getLogger("rabta.retention")

PURGED = ""


def purge_message_bodies(*, session: Session, retention_days: int, now: datetime | None = None) -> dict[str, int]:
    """Empty the bodies older than `retention_days`; return how many rows of each table were emptied."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    counts = {}
    for name, model, stamp in (("inbound", InboundMessage, InboundMessage.received_at),
                               ("outbound", OutboundMessage, OutboundMessage.created_at),
                               ("notifications", Notification, Notification.created_at)):
        values: dict[str, object] = {"body": PURGED}
        if model is Notification:
            values["params"] = {}  # its parameters are the body's facts
        result = session.execute(update(model).where(col(stamp) < cutoff, col(model.body) != PURGED)  # type: ignore[attr-defined]
                                 .values(**values).execution_options(synchronize_session=False))
        counts[name] = int(result.rowcount or 0)  # type: ignore[attr-defined]
    return counts


def purge_expired() -> dict[str, int]:
    """The periodic job (`app.scheduler`): message bodies past their retention."""
    runtime = current()
    with runtime.db.transaction() as session:
        counts = purge_message_bodies(session=session, retention_days=runtime.settings.MESSAGE_BODY_RETENTION_DAYS)
    if any(counts.values()):
        log.info("retention: emptied %s", counts)
    return counts
