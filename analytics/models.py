"""Analytics tables: the roll-ups dashboards read, the refresh watermarks, and the durable USSD log.

`analytics_rollup` holds one row per (local hour, metric, agency, channel, dimension), its primary key. Hours are in the
deployment zone (`TIMEZONE`), stored as naive local wall-clock times, so "a day" on a dashboard is the
citizens' day. `count` and `total` add up across buckets; `hist` is a fixed-bin histogram
(`analytics.buckets.BOUNDS_MS`), so percentiles over any date range come from summed bins.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, SmallInteger
from sqlmodel import Field, SQLModel

from app.applications.models import ServiceRequest
from app.notifications.models import Notification
from app.timeutil import UTCDateTime, utcnow
from payments.models import Payment
from sms.models import InboundMessage, OutboundMessage

# Roll-up rows are keyed by what they count, nothing else: the key is the primary key (no surrogate id, no
# second index), and on SQLite the table *is* that index (WITHOUT ROWID). That keeps the roll-ups a small
# fraction of the raw tables they summarise.
ROLLUP_TABLE_ARGS = {"sqlite_with_rowid": False}


class Rollup(SQLModel, table=True):
    __tablename__ = "analytics_rollup"
    __table_args__ = ROLLUP_TABLE_ARGS

    bucket: datetime = Field(sa_column=Column(DateTime(timezone=False), primary_key=True),
                             description="start of the local hour (deployment zone), naive")
    metric: str = Field(max_length=32, primary_key=True)
    agency_id: int = Field(default=0, primary_key=True, description="0: not agency-specific")
    channel: str = Field(default="", max_length=16, primary_key=True)
    dim: str = Field(default="", max_length=48, primary_key=True,
                     description="rail, reason, screen, provider, command, service...")
    count: int = Field(default=0, sa_type=BigInteger)
    total: int = Field(default=0, sa_type=BigInteger, description="amount in paisa, segments, ms...")
    hist: list[int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class DailyRollup(SQLModel, table=True):
    """The hourly roll-ups summed per local day: what the dashboards read (90 days stay a few thousand
    rows). Kept by the refresh from the hours it recomputed."""

    __tablename__ = "analytics_daily"
    __table_args__ = ROLLUP_TABLE_ARGS

    day: date = Field(primary_key=True)
    metric: str = Field(max_length=32, primary_key=True)
    agency_id: int = Field(default=0, primary_key=True)
    channel: str = Field(default="", max_length=16, primary_key=True)
    dim: str = Field(default="", max_length=48, primary_key=True)
    count: int = Field(default=0, sa_type=BigInteger)
    total: int = Field(default=0, sa_type=BigInteger)
    hist: list[int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class Watermark(SQLModel, table=True):
    """Per source: every row changed before `changed_until` (minus the overlap) is in the roll-ups."""

    __tablename__ = "analytics_watermark"

    source: str = Field(primary_key=True, max_length=32)
    changed_until: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    refreshed_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


# Event bits of a USSD hop (`UssdHop.events`): what happened on `screen` during the hop.
ARRIVAL, COMPLETION, BACK, INVALID, TIMEOUT, END = 1, 2, 4, 8, 16, 32
EVENT_BITS = {"arrival": ARRIVAL, "completion": COMPLETION, "back": BACK, "invalid": INVALID,
              "timeout": TIMEOUT, "end": END}


class UssdHop(SQLModel, table=True):
    """One row per hop, the funnel's raw material: the screen shown at the end of the hop (with what happened
    on it: arrival, invalid input, end) and the screen the caller left during the hop (completion or back).
    `ms` is the time the server took for the hop. Screens the hop merely passed through (tasks, branches)
    are not kept: the funnel is about what callers see."""

    __tablename__ = "ussd_hop"

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(max_length=128, index=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    screen: str = Field(max_length=40)
    events: int = Field(default=0, sa_type=SmallInteger, description="bit set on `screen`, see EVENT_BITS")
    left: str = Field(default="", max_length=40)
    left_events: int = Field(default=0, sa_type=SmallInteger, description="bit set on `left`")
    ms: int = Field(default=0)


class UssdSession(SQLModel, table=True):
    """A finished USSD session: outcome (completed / abandoned / timed_out), hops and duration."""

    __tablename__ = "ussd_session"

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(max_length=128, unique=True)
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    ended_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    outcome: str = Field(max_length=12)
    hops: int = Field(default=0)
    duration_ms: int = Field(default=0)
    last_screen: str = Field(default="", max_length=40)


# The refresh job finds what changed and the buckets it falls in through these columns; on raw tables of
# millions of rows they must be indexed (declared here so the migration and the models agree).
CHANGE_INDEXES: list[Any] = [
    Index("ix_payment_updated_at", Payment.__table__.c.updated_at),  # type: ignore[attr-defined]
    Index("ix_payment_created_at", Payment.__table__.c.created_at),  # type: ignore[attr-defined]
    Index("ix_service_request_last_changed_at", ServiceRequest.__table__.c.last_changed_at),  # type: ignore[attr-defined]
    Index("ix_service_request_submitted_at", ServiceRequest.__table__.c.submitted_at),  # type: ignore[attr-defined]
    Index("ix_sms_inbound_received_at", InboundMessage.__table__.c.received_at),  # type: ignore[attr-defined]
    Index("ix_sms_outbound_updated_at", OutboundMessage.__table__.c.updated_at),  # type: ignore[attr-defined]
    Index("ix_sms_outbound_created_at", OutboundMessage.__table__.c.created_at),  # type: ignore[attr-defined]
    Index("ix_notification_created_at", Notification.__table__.c.created_at),  # type: ignore[attr-defined]
]
