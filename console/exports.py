"""CSV export of every filtered list (inbox, bills, payments, audit): the filters on screen, streamed.

Each export is a generator: rows are read from a server-side cursor in batches (`*_stream` domain functions,
`yield_per`) and written out as they come, so 100,000 rows never sit in memory. Reads go to the replica
when there is one (`runtime.read_db`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from flask import Response, stream_with_context

from app.applications.queries import inbox_stream
from app.audit.service import stream as audit_stream
from app.bills.queries import bills_stream
from app.runtime import current
from app.timeutil import utcnow
from console.views_applications import inbox_filter
from console.views_bills import bill_filter
from console.views_payments import payment_filter
from console.views_people import audit_filter
from console.web import bp, officer, requires
from payments.refunds import payments_stream


def _csv(name: str, header: list[str], rows: Callable[[Any], Iterable[list[Any]]]) -> Response:
    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        with current().read_db.session() as db_session:
            for count, row in enumerate(rows(db_session), start=1):
                writer.writerow([_safe(value) for value in row])
                if count % 500 == 0:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
        yield buffer.getvalue()

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-{utcnow():%Y%m%d-%H%M}.csv"'
    return response


def _safe(value: Any) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: such text is prefixed with a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.get("/export/inbox.csv")
def export_inbox() -> Response:
    officer()
    now = utcnow()

    def rows(db_session: Any) -> Iterator[list[Any]]:
        where = inbox_filter(db_session)
        for r in inbox_stream(session=db_session, where=where, now=now):
            yield [r.tracking_number, r.status, r.service_id, r.submitted_at.isoformat(), r.sla_due_at.isoformat(),
                   r.assigned_officer_id or ""]
    return _csv("inbox", ["tracking_number", "status", "service_id", "submitted_at", "sla_due_at",
                          "assigned_officer_id"], rows)


@bp.get("/export/bills.csv")
def export_bills() -> Response:
    where = bill_filter()

    def rows(db_session: Any) -> Iterator[list[Any]]:
        for b in bills_stream(session=db_session, where=where):
            yield [b.psid, b.kind, b.status, b.description, b.amount_within_due, b.amount_after_due, b.currency,
                   b.due_date.isoformat(), b.paid_at.isoformat() if b.paid_at else ""]
    return _csv("bills", ["psid", "kind", "status", "description", "amount_within_due", "amount_after_due",
                          "currency", "due_date", "paid_at"], rows)


@bp.get("/export/payments.csv")
def export_payments() -> Response:
    where = payment_filter()

    def rows(db_session: Any) -> Iterator[list[Any]]:
        for p, b in payments_stream(session=db_session, where=where):
            yield [p.reference, b.psid, p.status, p.rail, p.channel, p.provider, p.amount, p.currency,
                   p.refund_due, p.created_at.isoformat()]
    return _csv("payments", ["reference", "psid", "status", "rail", "channel", "wallet", "amount", "currency",
                             "refund_due", "created_at"], rows)


@bp.get("/export/audit.csv")
@requires("supervisor")
def export_audit() -> Response:
    where = audit_filter()

    def rows(db_session: Any) -> Iterator[list[Any]]:
        for e in audit_stream(session=db_session, where=where):
            yield [e.at.isoformat(), e.actor, e.action, e.subject, e.detail, e.ip]
    return _csv("audit", ["at", "actor", "action", "subject", "detail", "ip"], rows)
