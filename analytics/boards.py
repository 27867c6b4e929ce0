"""The four dashboards: which roll-ups each reads, its headline figures (with the change against the
previous period) and its charts. Pure functions of `Figures`, so the routes only fetch and render."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from analytics.backlog import AGE_BANDS, BACKLOG
from analytics.buckets import percentile_ms, share_within
from analytics.charts import Chart
from analytics.queries import Figures, Period, change, fetch, snapshot

CHANNEL_LABELS = {"app": "App", "ussd": "USSD", "sms": "SMS", "bank": "Bank/1Bill"}
PAYMENT_CHANNELS = tuple(CHANNEL_LABELS)


@dataclass
class Kpi:
    label: str
    value: float | None
    previous: float | None
    unit: str = ""  # "PKR", "%", "s", "h"

    @property
    def change(self) -> float | None:
        return change(self.value, self.previous)


@dataclass
class Board:
    slug: str
    title: str
    kpis: list[Kpi]
    charts: list[Chart]
    notes: list[str]


def board_to_json(board: Board) -> str:
    """A cached board as JSON (never pickle: a value read back from Redis must not be able to run code)."""
    return json.dumps(asdict(board), default=lambda value: {"date": value.isoformat()})


def board_from_json(text: str | bytes) -> Board:
    def dates(value: Any) -> Any:
        if isinstance(value, dict) and value.keys() == {"date"}:
            return date.fromisoformat(value["date"])
        return value

    data = json.loads(text, object_hook=dates)
    charts = [Chart(**chart) for chart in data.pop("charts")]
    kpis = [Kpi(**kpi) for kpi in data.pop("kpis")]
    return Board(**data, kpis=kpis, charts=charts)


def pct(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def seconds(ms: int | None) -> float | None:
    return None if ms is None else ms / 1000


def hours(ms: int | None) -> float | None:
    return None if ms is None else round(ms / 3_600_000, 1)


def _days(figures: Figures, period: Period, metric: str, key: str, names: list[str],
          value: Callable[[Any], float] = lambda cell: cell.count) -> list[list[Any]]:
    cells = figures.by(metric, "day", key)
    return [[day, *(value(cells[(day, name)]) if (day, name) in cells else 0 for name in names)]
            for day in period.each_day()]


# Collections ------------------------------------------------------------------------------------------

COLLECTIONS = ("pay.started", "pay.settled", "pay.failed", "pay.refund_due")


def _collections_kpis(now: Figures, before: Figures) -> list[Kpi]:
    def figures(f: Figures) -> tuple[float, float, float | None, float | None]:
        settled, started = f.total("pay.settled", hist=True), f.total("pay.started")
        return (settled.total / 100, settled.count, pct(settled.count, started.count),
                seconds(percentile_ms(settled.hist, 0.95)))

    a, b = figures(now), figures(before)
    return [Kpi("Amount collected", a[0], b[0], "PKR"), Kpi("Payments settled", a[1], b[1]),
            Kpi("Success rate", a[2], b[2], "%"), Kpi("Start to settled, p95", a[3], b[3], "s")]


def collections(session: Session, period: Period, agency_id: int | None) -> Board:
    now = fetch(session, COLLECTIONS, period.start, period.end, agency_id)
    before = fetch(session, COLLECTIONS, period.previous().start, period.previous().end, agency_id)
    labels = [CHANNEL_LABELS[c] for c in PAYMENT_CHANNELS]
    started, settled = now.by("pay.started", "channel"), now.by("pay.settled", "channel", hist=True)
    rails_started, rails = now.by("pay.started", "dim"), now.by("pay.settled", "dim")
    refunds = now.by("pay.refund_due", "dim")
    charts = [
        Chart("amount-by-channel", "Amount collected per day by channel (PKR)", ["day", *labels],
              _days(now, period, "pay.settled", "channel", list(PAYMENT_CHANNELS), lambda c: c.total / 100),
              unit="PKR"),
        Chart("count-by-channel", "Payments settled per day by channel", ["day", *labels],
              _days(now, period, "pay.settled", "channel", list(PAYMENT_CHANNELS))),
        Chart("by-rail", "Payments by rail", ["rail", "started", "settled", "amount (PKR)", "success %"],
              [[rail, rails_started[(rail,)].count, rails.get((rail,), _zero()).count,
                rails.get((rail,), _zero()).total / 100,
                pct(rails.get((rail,), _zero()).count, rails_started[(rail,)].count)]
               for (rail,) in sorted(rails_started)], kind="bars", plot=[2]),
        Chart("success-and-speed", "Success rate and time from start to settled, by channel",
              ["channel", "started", "settled", "success %", "p50 (s)", "p95 (s)"],
              [[CHANNEL_LABELS.get(c, c), started[(c,)].count, settled.get((c,), _zero()).count,
                pct(settled.get((c,), _zero()).count, started[(c,)].count),
                seconds(percentile_ms(settled.get((c,), _zero()).hist, 0.5)),
                seconds(percentile_ms(settled.get((c,), _zero()).hist, 0.95))]
               for (c,) in sorted(started)], kind="bars", plot=[3], unit="%"),
        Chart("failure-reasons", "Failed and expired payments by reason", ["reason", "payments"],
              sorted(([reason, cell.count] for (reason,), cell in now.by("pay.failed", "dim").items()),
                     key=lambda row: -row[1]), kind="bars"),
        Chart("refunds", "Refund cases (money that arrived after the bill was settled or the payment ended)",
              ["rail", "open cases", "amount (PKR)"],
              [[rail, cell.count, cell.total / 100] for (rail,), cell in sorted(refunds.items())], kind="bars"),
    ]
    notes = ["Days are local days in the deployment's time zone; a payment counts on the day it started.",
             "Refund cases are open until money is returned; Rabta records no closing of a case yet, so "
             "closed cases are not shown."]
    return Board("collections", "Collections", _collections_kpis(now, before), charts, notes)


def _zero() -> Any:
    from analytics.queries import Cell

    return Cell()


# Applications -----------------------------------------------------------------------------------------

APPLICATIONS = ("app.received", "app.closed", "app.completed")


def applications(session: Session, period: Period, agency_id: int | None) -> Board:
    now = fetch(session, APPLICATIONS, period.start, period.end, agency_id)
    before = fetch(session, APPLICATIONS, period.previous().start, period.previous().end, agency_id)
    backlog = snapshot(session, BACKLOG, agency_id)

    def kpis(f: Figures) -> tuple[float, float, float | None]:
        closed = f.total("app.closed")
        return f.total("app.received").count, f.total("app.completed").count, pct(closed.total, closed.count)

    a, b = kpis(now), kpis(before)
    open_now = backlog.total(BACKLOG)
    received, completed = now.by("app.received", "day"), now.by("app.completed", "day")
    bands = [name for name, _ in AGE_BANDS]
    by_status = backlog.by(BACKLOG, "dim", "channel")
    statuses = sorted({status for status, _ in by_status})
    overdue = backlog.by(BACKLOG, "dim")
    closed = now.by("app.closed", "dim", hist=True)
    charts = [
        Chart("received-completed", "Applications received and completed per day", ["day", "received", "completed"],
              [[day, received.get((day,), _zero()).count, completed.get((day,), _zero()).count]
               for day in period.each_day()]),
        Chart("backlog", "Open applications by status and age (now)", ["status", *bands, "overdue"],
              [[status, *(by_status.get((status, band), _zero()).count for band in bands),
                overdue[(status,)].total] for status in statuses], kind="bars", plot=list(range(1, len(bands) + 1))),
        Chart("sla", "Service level achieved, by service (closed in the period)",
              ["service", "closed", "within SLA", "SLA achieved %"],
              [[code, cell.count, cell.total, pct(cell.total, cell.count)] for (code,), cell in sorted(closed.items())],
              kind="bars", plot=[3], unit="%"),
        Chart("resolution", "Median resolution time by service (hours)", ["service", "closed", "median (h)"],
              [[code, cell.count, hours(percentile_ms(cell.hist, 0.5))] for (code,), cell in sorted(closed.items())],
              kind="bars", plot=[2], unit="h"),
    ]
    kpi_list = [Kpi("Received", a[0], b[0]), Kpi("Completed", a[1], b[1]), Kpi("SLA achieved", a[2], b[2], "%"),
                Kpi("Open now", open_now.count, None), Kpi("Overdue now", open_now.total, None)]
    notes = ["Completed counts on the day an application was completed; SLA and resolution time cover every "
             "application closed (completed, rejected or cancelled) in the period.",
             "Percentiles are bin upper bounds (see the README: Analytics)."]
    return Board("applications", "Applications", kpi_list, charts, notes)


# Channels ---------------------------------------------------------------------------------------------

CHANNELS = ("ussd.session", "ussd.arrival", "ussd.completion", "ussd.back", "ussd.invalid", "ussd.timeout",
            "ussd.hop", "sms.in", "sms.sent", "sms.delivered", "sms.undelivered", "notify.sent")


def _ussd_completion(f: Figures) -> float | None:
    sessions = f.by("ussd.session", "dim")
    return pct(sessions.get(("completed",), _zero()).count, sum(cell.count for cell in sessions.values()))


def funnel_rows(f: Figures) -> list[list[Any]]:
    metrics = ("ussd.arrival", "ussd.completion", "ussd.back", "ussd.invalid", "ussd.timeout")
    by = {metric: f.by(metric, "dim") for metric in metrics}
    hops = f.by("ussd.hop", "dim", hist=True)
    screens = sorted(set().union(*(set(cells) for cells in by.values()), set(hops)),
                     key=lambda key: -by["ussd.arrival"].get(key, _zero()).count)
    rows = []
    for key in screens:
        arrivals = by["ussd.arrival"].get(key, _zero()).count
        counts = [by[m].get(key, _zero()).count for m in metrics]
        hist = hops.get(key, _zero()).hist
        rows.append([key[0], *counts, pct(counts[2] + counts[4], arrivals),
                     percentile_ms(hist, 0.5), percentile_ms(hist, 0.95)])
    return rows


def channels(session: Session, period: Period, agency_id: int | None) -> Board:
    now = fetch(session, CHANNELS, period.start, period.end, agency_id)
    before = fetch(session, CHANNELS, period.previous().start, period.previous().end, agency_id)
    outcomes = ["completed", "abandoned", "timed_out"]
    inbound = now.by("sms.in", "dim")
    sent, delivered = now.by("sms.sent", "dim"), now.by("sms.delivered", "dim", hist=True)
    notified = now.by("notify.sent", "dim", hist=True)

    def unknown_rate(f: Figures) -> float | None:
        cells = f.by("sms.in", "dim")
        return pct(cells.get(("unknown",), _zero()).count, sum(cell.count for cell in cells.values()))

    charts = [
        Chart("ussd-sessions", "USSD sessions per day by outcome", ["day", *outcomes],
              _days(now, period, "ussd.session", "dim", outcomes)),
        Chart("ussd-funnel", "USSD funnel per screen: drop-off and time per hop",
              ["screen", "arrivals", "completions", "back-outs", "invalid inputs", "timeouts", "drop-off %",
               "hop p50 (ms)", "hop p95 (ms)"], funnel_rows(now), kind="bars", plot=[1]),
        Chart("sms-inbound", "SMS received by command", ["command", "messages"],
              sorted(([cmd or "(none)", cell.count] for (cmd,), cell in inbound.items()), key=lambda r: -r[1]),
              kind="bars"),
        Chart("sms-delivery", "Outbound SMS by provider",
              ["provider", "sent", "segments", "delivered %", "median delivery (s)"],
              [[provider or "(none)", cell.count, cell.total,
                pct(delivered.get((provider,), _zero()).count, cell.count),
                seconds(percentile_ms(delivered.get((provider,), _zero()).hist, 0.5))]
               for (provider,), cell in sorted(sent.items())], kind="bars", plot=[2]),
        Chart("notifications", "Notifications sent within 10 s and 60 s of the event, by kind",
              ["kind", "sent", "within 10 s %", "within 60 s %"],
              [[kind, cell.count, _share(cell.hist, 10_000), _share(cell.hist, 60_000)]
               for (kind,), cell in sorted(notified.items())], kind="bars", plot=[2], unit="%"),
    ]
    sessions_now = sum(c.count for c in now.by("ussd.session").values())
    sessions_before = sum(c.count for c in before.by("ussd.session").values())
    kpis = [Kpi("USSD sessions", sessions_now, sessions_before),
            Kpi("USSD completion rate", _ussd_completion(now), _ussd_completion(before), "%"),
            Kpi("Unknown SMS commands", unknown_rate(now), unknown_rate(before), "%"),
            Kpi("SMS segments sent", now.total("sms.sent").total, before.total("sms.sent").total)]
    notes = ["USSD and SMS figures are for the whole platform (a session or a text belongs to no agency).",
             "Drop-off: back-outs and timeouts as a share of arrivals on the screen."]
    return Board("channels", "Channels", kpis, charts, notes)


def _share(hist: list[int] | None, bound: int) -> float | None:
    share = share_within(hist, bound)
    return None if share is None else round(100 * share, 1)


# Citizens reached -------------------------------------------------------------------------------------

CITIZENS = ("cit.active", "cit.new")


def citizens(session: Session, period: Period, agency_id: int | None) -> Board:
    now = fetch(session, CITIZENS, period.start, period.end, agency_id)
    before = fetch(session, CITIZENS, period.previous().start, period.previous().end, agency_id)
    channels_seen = sorted({row[3] for row in now.rows if row[1] == "cit.active"})
    languages = now.by("cit.new", "dim")

    def daily_active(f: Figures, days: int) -> float:
        return round(sum(cell.count for cell in f.by("cit.active").values()) / max(days, 1), 1)

    charts = [
        Chart("active-by-channel", "Active citizens per day by channel", ["day", *channels_seen],
              _days(now, period, "cit.active", "channel", channels_seen)),
        Chart("new-accounts", "New accounts per day", ["day", "new accounts"],
              [[day, now.by("cit.new", "day").get((day,), _zero()).count] for day in period.each_day()]),
        Chart("languages", "New accounts by language", ["language", "accounts"],
              [[lang, cell.count] for (lang,), cell in sorted(languages.items())], kind="bars"),
    ]
    kpis = [Kpi("Active citizens, daily average", daily_active(now, period.days),
                daily_active(before, period.days)),
            Kpi("New accounts", now.total("cit.new").count, before.total("cit.new").count)]
    notes = ["A citizen is active on a day they start a payment (by its channel) or send an SMS; a citizen "
             "active on two channels counts on each.",
             "New accounts and languages are platform-wide."]
    return Board("citizens", "Citizens reached", kpis, charts, notes)


BOARDS: dict[str, tuple[str, Callable[[Session, Period, int | None], Board]]] = {
    "collections": ("Collections", collections),
    "applications": ("Applications", applications),
    "channels": ("Channels", channels),
    "citizens": ("Citizens reached", citizens),
}
