"""The rows of `rabta seed --volume`, one chunk of payments at a time (see `analytics.volume`)."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from analytics.volume import (
    CHANNELS,
    COMMANDS,
    DAYS,
    FAILURES,
    JOURNEYS,
    PREFIX,
    Ids,
    Weighted,
    _pick,
)
from analytics.volume_sink import Sink, _day
from analytics.volume_ussd import Planned, Shape, shapes

Rows = tuple[Sequence[str], list[tuple[Any, ...]]]
LANGUAGES = Weighted.of((("en", 0.5), ("ur", 0.3), ("ur-Latn", 0.2)))
HOURS = Weighted.of(tuple(zip(range(24), (1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 10, 9, 8, 9, 10, 10, 9, 8, 7, 6, 4, 3, 2, 1),
                              strict=True)))
PAYLOADS = {status: json.dumps({"to": status}) for status in ("succeeded", "failed", "expired")}
STATUS_PATHS = Weighted.of((  # application histories after "submitted", with their share
    (("under_review", "approved", "ready_for_collection", "completed"), 0.55),
    (("under_review", "rejected"), 0.10),
    (("under_review",), 0.15),
    (("under_review", "info_requested"), 0.05),
    ((), 0.10),
    (("cancelled",), 0.05),
))


@dataclass
class Generator:
    rng: random.Random
    sink: Sink
    ids: Ids
    agencies: list[int]
    services: list[tuple[int, int, str, int]]  # id, agency_id, code, sla_days
    now: float
    citizen_offset: int
    citizens: list[tuple[int, str, str]] = field(default_factory=list)  # id, msisdn, language
    tracking: dict[str, int] = field(default_factory=dict)
    pool: list[Shape] = field(default_factory=list)  # USSD session shapes, drawn on first use
    days: tuple[int, int] = (0, DAYS)  # the slice of the 90 days this chunk fills (oldest first)

    def _when(self) -> float:
        """A moment in this chunk's days, busier in the day (Pakistan) than at night. Chunks go oldest to
        newest, so every time index is filled near its end rather than at random pages."""
        day = DAYS - 1 - self.rng.randrange(*self.days)
        start = math.floor(self.now / 86400) * 86400 - day * 86400 - 5 * 3600  # local midnights (UTC+5)
        return min(start + HOURS.pick(self.rng) * 3600 + self.rng.random() * 3600, self.now - 60)

    def chunk(self, payments: int, days: tuple[int, int] = (0, DAYS)) -> Iterator[tuple[str, Rows]]:
        self.days = days
        yield "citizen", self._citizens(max(payments // 5, 1))
        bills, pays, events, notes, outs = self._payments(payments)
        yield "bill", bills
        yield "payment", pays
        yield "payment_event", events
        requests, history = self._applications(max(payments // 5, 1))
        yield "service_request", requests
        yield "status_event", history
        yield "notification", notes
        yield "sms_outbound", outs
        yield "sms_inbound", self._inbound(max(payments // 10, 1))

    def _citizens(self, count: int) -> Rows:
        first = self.ids.take("citizen", count)
        rows = []
        for offset in range(count):
            number = f"{PREFIX}{self.citizen_offset + len(self.citizens):07d}"
            language = _pick(self.rng, LANGUAGES)
            created = self.sink.ts(self.now - self.rng.random() * DAYS * 86400)
            self.citizens.append((first + offset, number, language))
            rows.append((first + offset, number, "", language, 0, False, created, created))
        return ("id", "msisdn", "name", "language", "pin_failed_attempts", "sms_opt_out", "created_at",
                "updated_at"), rows

    def _payments(self, count: int) -> tuple[Rows, Rows, Rows, Rows, Rows]:
        ts, rng = self.sink.ts, self.rng
        bill_id, pay_id = self.ids.take("bill", count), self.ids.take("payment", count)
        event_id, note_id, out_id = (self.ids.take("payment_event", count), self.ids.take("notification", count),
                                     self.ids.take("sms_outbound", count))
        bills, pays, events, notes, outs = [], [], [], [], []
        for n in range(count):
            citizen_id, msisdn, language = rng.choice(self.citizens)
            channel = _pick(rng, CHANNELS)
            rail, provider = ("1bill", "1bill") if channel == "bank" else ("wallet", "sandbox")
            start = self._when()
            amount = int(rng.lognormvariate(11.5, 1.0)) // 100 * 100 + 100
            roll = rng.random()
            status = "succeeded" if roll < 0.88 else "failed" if roll < 0.95 else "expired"
            settle = start + (rng.lognormvariate(1.0, 0.6) if channel == "bank" else rng.lognormvariate(2.2, 0.8))
            settled = status == "succeeded"
            ended = settle if settled else start + (rng.uniform(5, 60) if status == "failed" else 900)
            refund = status == "expired" and rng.random() < 0.06
            reference = f"V{pay_id + n:011d}"
            day = int(start // 86400)  # the UTC day the payment started, and its bill's due day
            bills.append((bill_id + n, f"9{bill_id + n:016d}", "challan", "Synthetic challan", amount, amount,
                          "PKR", _day(day + 15)[:10], "", rng.choice(self.agencies), citizen_id,
                          "paid" if settled else "unpaid", _day(day)[:10], ts(settle) if settled else None,
                          amount if settled else None, pay_id + n if settled else None, ts(start - 86400)))
            pays.append((pay_id + n, reference, bill_id + n, citizen_id, msisdn, channel, rail, provider, amount,
                         "PKR", status, refund, f"R{pay_id + n:011d}" if settled else None,
                         rng.choice(FAILURES) if status == "failed" else None, ts(start), ts(ended),
                         ts(settle) if settled else None))
            events.append((event_id + n, pay_id + n, provider, "state_change",
                           PAYLOADS[status], ts(ended)))
            kind = "payment_receipt" if settled else "payment_failed"
            queued = ended + rng.lognormvariate(0.5, 1.0)
            sent = queued + rng.lognormvariate(0.0, 1.2)
            outcome = rng.random()
            final = "delivered" if outcome < 0.93 else "undelivered" if outcome < 0.98 else "failed"
            notes.append((note_id + n, citizen_id, msisdn, language, "sms", kind, True, "Synthetic message",
                          "{}", "dispatched", 1, ts(ended), ts(queued)))
            sms_provider = "twilio" if rng.random() < 0.6 else "africastalking"
            outs.append((out_id + n, msisdn, "Synthetic message", kind, final, sms_provider, f"SM{out_id + n}",
                         1 if language == "en" else 2, "GSM-7" if language != "ur" else "UCS-2", citizen_id, True,
                         note_id + n, 1, ts(ended), ts(sent + 5), ts(sent),
                         ts(sent + rng.lognormvariate(1.5, 1.0)) if final == "delivered" else None))
        return ((("id", "psid", "kind", "description", "amount_within_due", "amount_after_due", "currency",
                  "due_date", "billing_month", "agency_id", "citizen_id", "status", "issued_on", "paid_at",
                  "paid_amount", "settled_by_payment_id", "created_at"), bills),
                (("id", "reference", "bill_id", "citizen_id", "msisdn", "channel", "rail", "provider", "amount",
                  "currency", "status", "refund_due", "receipt_number", "failure_reason", "created_at", "updated_at",
                  "settled_at"), pays),
                (("id", "payment_id", "provider", "kind", "payload", "created_at"), events),
                (("id", "citizen_id", "msisdn", "language", "channel", "kind", "essential", "body", "params",
                  "status", "attempts", "created_at", "dispatched_at"), notes),
                (("id", "to", "body", "kind", "status", "provider", "provider_message_id", "segments", "encoding",
                  "citizen_id", "essential", "notification_id", "attempts", "created_at", "updated_at", "sent_at",
                  "delivered_at"), outs))

    def _applications(self, count: int) -> tuple[Rows, Rows]:
        ts, rng = self.sink.ts, self.rng
        first = self.ids.take("service_request", count)
        requests: list[tuple[Any, ...]] = []
        history: list[tuple[Any, ...]] = []
        for n in range(count):
            service_id, agency_id, code, sla_days = rng.choice(self.services)
            citizen_id = rng.choice(self.citizens)[0]
            submitted = self._when()
            path = _pick(rng, STATUS_PATHS)
            at, previous = submitted, "submitted"
            history.append((self.ids.take("status_event"), first + n, None, "submitted", "", "citizen", ts(at)))
            for step in path:
                at = min(at + rng.lognormvariate(11.0, 1.0), self.now - 1)  # median ~17 h per step
                history.append((self.ids.take("status_event"), first + n, previous, step, "", "officer", ts(at)))
                previous = step
            serial = self.tracking.get(code, 500_000) + 1
            self.tracking[code] = serial
            year = datetime.fromtimestamp(submitted, UTC).year
            requests.append((first + n, f"{code}-{year}-{serial:06d}", citizen_id, service_id, agency_id, previous,
                             "{}", ts(submitted), ts(submitted + sla_days * 86400), ts(at)))
        return ((("id", "tracking_number", "citizen_id", "service_id", "agency_id", "status", "details",
                  "submitted_at", "sla_due_at", "last_changed_at"), requests),
                (("id", "request_id", "from_status", "to_status", "note", "actor", "created_at"), history))

    def _inbound(self, count: int) -> Rows:
        first = self.ids.take("sms_inbound", count)
        rows = []
        for n in range(count):
            citizen_id, msisdn, _ = self.rng.choice(self.citizens)
            command = _pick(self.rng, COMMANDS)
            rows.append((first + n, "twilio", f"SMV{first + n}", msisdn, "8558", command.lower(), citizen_id,
                         command, self.sink.ts(self._when())))
        return ("id", "provider", "provider_message_id", "msisdn", "to_number", "body", "citizen_id", "command",
                "received_at"), rows

    def ussd(self, budget: int) -> tuple[list[Planned], list[float]]:
        """Sessions until `budget` hops: each a start time and a shape of the pool (see analytics.volume_ussd)."""
        if not self.pool:
            self.pool = shapes(self.rng, lambda: _pick(self.rng, JOURNEYS))
        planned: list[Planned] = []
        starts: list[float] = []
        hops, ts, pool, size = 0, self.sink.ts, self.pool, len(self.pool)
        while hops < budget:
            index = self.rng.randrange(size)
            count = len(pool[index].hops)
            number = self.ids.take("ussd_session")
            start = self._when()
            planned.append((number, f"ATUid_v{number:010d}", ts(start), index,  # ordered: appends to its index
                            self.ids.take("ussd_hop", count)))
            starts.append(start)
            hops += count
        return planned, starts
