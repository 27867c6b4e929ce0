"""What the roll-ups are made of: per source, how to find the hours touched since a watermark and the
grouped SQL that recomputes a range of hours from the raw rows.

Each metric query returns (bucket, agency_id, channel, dim, count, total, bin) rows; `bin` is NULL for
metrics without a histogram. A bucket is the local hour of the source's *bucket column* (a payment's start,
a message's creation...), so an event arriving late (a delivery report a day later) changes the row's
`updated_at` (its change column) and the refresh recomputes the old hour it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from analytics.buckets import bin_sql
from analytics.models import ARRIVAL, BACK, COMPLETION, END, INVALID
from app.applications.models import TERMINAL_STATUSES
from payments.models import EXPIRED, FAILED, SUCCEEDED
from sms.models import DELIVERED, UNDELIVERED
from sms.models import FAILED as SMS_FAILED


@dataclass(frozen=True)
class Dialect:
    postgres: bool

    def hour(self, column: str) -> str:
        if self.postgres:
            return f"date_trunc('hour', {column} AT TIME ZONE :tz)"
        return f"rabta_local_hour({column}, :tz)"

    def ms(self, start: str, end: str) -> str:
        if self.postgres:
            return f"round(extract(epoch from ({end} - {start})) * 1000)"
        # julianday is a float of days: round, or 1 s comes out as 999.99 ms and lands in the wrong bin
        return f"round((julianday({end}) - julianday({start})) * 86400000.0)"


@dataclass(frozen=True)
class MetricQuery:
    metric: str
    sql: str  # uses :tz, :lo, :hi (UTC, hi exclusive) and the bucket column of its source
    # Further metrics counted in the same pass over the rows (same keys, no total, no histogram): one count
    # column each after `bin`. A group where a metric counts nothing gives it no row.
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    name: str
    touched_sql: str  # `t`: the bucket-column times of rows changed at or after :since
    metrics: tuple[MetricQuery, ...]
    whole_days: bool = False  # distinct counts: recompute whole local days


def _in(values: object) -> str:
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"  # type: ignore[attr-defined]


def _metric(d: Dialect, metric: str, frm: str, bucket: str, *, agency: str = "0", channel: str = "''",
            dim: str = "''", total: str = "0", hist: str | None = None, where: str = "1=1",
            count: str = "count(*)", also: tuple[tuple[str, str], ...] = ()) -> MetricQuery:
    binned = bin_sql(hist) if hist else "NULL"
    more = "".join(f", sum(CASE WHEN {condition} THEN 1 ELSE 0 END) AS n_{index}"
                   for index, (_, condition) in enumerate(also))
    sql = (f"SELECT {d.hour(bucket)} AS bucket, {agency} AS agency_id, {channel} AS channel, {dim} AS dim, "
           f"{count} AS n, coalesce(sum({total}), 0) AS total, {binned} AS bin{more} FROM {frm} "
           f"WHERE {bucket} >= :lo AND {bucket} < :hi AND ({where}) GROUP BY 1, 2, 3, 4, 7")
    return MetricQuery(metric, sql, tuple(name for name, _ in also))


def _payments(d: Dialect) -> Source:
    frm, at = "payment p JOIN bill b ON b.id = p.bill_id", "p.created_at"
    keys: dict[str, Any] = {"agency": "b.agency_id", "channel": "p.channel"}
    return Source("payments", "SELECT p.created_at AS t FROM payment p WHERE p.updated_at >= :since", (
        _metric(d, "pay.started", frm, at, dim="p.rail", total="p.amount", **keys),
        _metric(d, "pay.settled", frm, at, dim="p.rail", total="p.amount", where=f"p.status = '{SUCCEEDED}'",
                hist=d.ms("p.created_at", "p.settled_at"), **keys),
        _metric(d, "pay.failed", frm, at, dim="coalesce(p.failure_reason, p.status)",
                where=f"p.status IN {_in((FAILED, EXPIRED))}", **keys),
        _metric(d, "pay.refund_due", frm, at, dim="p.rail", total="p.amount", where="p.refund_due", **keys),
    ))


def _applications(d: Dialect) -> tuple[Source, Source]:
    frm = "service_request r JOIN service s ON s.id = r.service_id"
    received = Source("applications",
                      "SELECT r.submitted_at AS t FROM service_request r WHERE r.last_changed_at >= :since", (
        _metric(d, "app.received", frm, "r.submitted_at", agency="r.agency_id", dim="s.code"),
    ))
    terminal = f"r.status IN {_in(sorted(TERMINAL_STATUSES))}"
    # A closed application belongs to the hour it closed in (its last change).
    closed = Source("applications_closed",
                    "SELECT r.last_changed_at AS t FROM service_request r WHERE r.last_changed_at >= :since", (
        _metric(d, "app.closed", frm, "r.last_changed_at", agency="r.agency_id", dim="s.code", where=terminal,
                total="CASE WHEN r.last_changed_at <= r.sla_due_at THEN 1 ELSE 0 END",
                hist=d.ms("r.submitted_at", "r.last_changed_at")),
        _metric(d, "app.completed", frm, "r.last_changed_at", agency="r.agency_id", dim="s.code",
                where="r.status = 'completed'"),
    ))
    return received, closed


def _messages(d: Dialect) -> tuple[Source, Source, Source]:
    inbound = Source("sms_inbound", "SELECT received_at AS t FROM sms_inbound WHERE received_at >= :since", (
        _metric(d, "sms.in", "sms_inbound", "received_at", dim="command"),
    ))
    frm, at, provider = "sms_outbound o", "o.created_at", "coalesce(o.provider, '')"
    outbound = Source("sms_outbound", "SELECT o.created_at AS t FROM sms_outbound o WHERE o.updated_at >= :since", (
        _metric(d, "sms.sent", frm, at, dim=provider, total="o.segments", where="o.sent_at IS NOT NULL"),
        _metric(d, "sms.delivered", frm, at, dim=provider, where=f"o.status = '{DELIVERED}'",
                hist=d.ms("o.sent_at", "o.delivered_at")),
        _metric(d, "sms.undelivered", frm, at, dim=provider,
                where=f"o.status IN {_in((UNDELIVERED, SMS_FAILED))}"),
    ))
    frm = "notification n JOIN sms_outbound o ON o.notification_id = n.id"
    notified = Source("notifications",
                      f"SELECT n.created_at AS t FROM {frm} WHERE o.updated_at >= :since", (
        _metric(d, "notify.sent", frm, "n.created_at", channel="n.channel", dim="n.kind",
                where="o.sent_at IS NOT NULL", hist=d.ms("n.created_at", "o.sent_at")),
    ))
    return inbound, outbound, notified


def _ussd(d: Dialect) -> tuple[Source, Source]:
    shown = [("ussd.arrival", ARRIVAL), ("ussd.invalid", INVALID), ("ussd.end", END)]
    # Two passes over the hops, not one per metric: the screen shown (with what happened on it), and the
    # screen left (completion or back).
    hops = Source("ussd_hops", "SELECT at AS t FROM ussd_hop WHERE at >= :since", (
        _metric(d, "ussd.hop", "ussd_hop", "at", dim="screen", total="ms", hist="ms",
                also=tuple((metric, f"(events & {bit}) <> 0") for metric, bit in shown)),
        _metric(d, "ussd.completion", "ussd_hop", "at", dim="\"left\"",
                where=f"(left_events & {COMPLETION | BACK}) <> 0",
                count=f"sum(CASE WHEN (left_events & {COMPLETION}) <> 0 THEN 1 ELSE 0 END)",
                also=(("ussd.back", f"(left_events & {BACK}) <> 0"),)),
    ))
    sessions = Source("ussd_sessions", "SELECT ended_at AS t FROM ussd_session WHERE ended_at >= :since", (
        _metric(d, "ussd.session", "ussd_session", "ended_at", dim="outcome", total="hops", hist="duration_ms"),
        _metric(d, "ussd.timeout", "ussd_session", "ended_at", dim="last_screen",
                where="outcome <> 'completed'"),
    ))
    return hops, sessions


def _citizens(d: Dialect) -> tuple[Source, Source]:
    new = Source("citizens", "SELECT created_at AS t FROM citizen WHERE created_at >= :since", (
        _metric(d, "cit.new", "citizen", "created_at", dim="language"),
    ))
    # Active citizens are distinct per local day (they do not add up across hours): one row per day at
    # 00:00, per agency (payers of its bills) and platform-wide (agency 0, every channel).
    paid = ("SELECT {day} AS bucket, {agency} AS agency_id, p.channel AS channel, '' AS dim, "
            "count(DISTINCT p.citizen_id) AS n, 0 AS total, NULL AS bin FROM payment p JOIN bill b ON b.id = p.bill_id "
            "WHERE p.created_at >= :lo AND p.created_at < :hi AND p.citizen_id IS NOT NULL GROUP BY 1, 2, 3")
    texted = ("SELECT {day} AS bucket, 0 AS agency_id, 'sms' AS channel, 'inbound' AS dim, "
              "count(DISTINCT citizen_id) AS n, 0 AS total, NULL AS bin FROM sms_inbound "
              "WHERE received_at >= :lo AND received_at < :hi AND citizen_id IS NOT NULL GROUP BY 1, 2, 3")
    day_of = _day(d, "p.created_at")
    active = Source("active", "SELECT created_at AS t FROM payment WHERE created_at >= :since "
                              "UNION ALL SELECT received_at AS t FROM sms_inbound WHERE received_at >= :since", (
        MetricQuery("cit.active", paid.format(day=day_of, agency="b.agency_id")),
        MetricQuery("cit.active", paid.format(day=day_of, agency="0").replace("GROUP BY 1, 2, 3", "GROUP BY 1, 3")),
        MetricQuery("cit.active", texted.format(day=_day(d, "received_at"))),
    ), whole_days=True)
    return new, active


def _day(d: Dialect, column: str) -> str:
    if d.postgres:
        return f"date_trunc('day', {column} AT TIME ZONE :tz)"
    return f"rabta_local_day({column}, :tz)"


def sources(postgres: bool) -> tuple[Source, ...]:
    d = Dialect(postgres)
    return (_payments(d), *_applications(d), *_messages(d), *_ussd(d), *_citizens(d))
