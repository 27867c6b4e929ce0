"""Bill reminders: one text 3 days before a bill falls due, never twice.

Reminders are non-essential notifications: the outbox drain skips them for a citizen who
opted out (`app.notifications.service.dispatch`, the one place opt-out is enforced)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, col, select

from app.bills.models import UNPAID, Bill
from app.bills.service import inquiry_for
from app.citizens.models import Citizen
from app.messages.formatting import format_date, format_money
from app.notifications.service import queue_notification

REMINDER_DAYS_BEFORE = 3
REMINDER_KIND = "bill_reminder"


def queue_bill_reminders(*, session: Session, today: date) -> int:
    """Owe a reminder for each unpaid bill due within the next 3 days. A run that was missed
    still reminds (the window, not the exact day, decides); the outbox dedupe key keeps it to one."""
    query = (select(Bill, Citizen).join(Citizen, col(Citizen.id) == col(Bill.citizen_id))
             .where(Bill.status == UNPAID, col(Bill.due_date) >= today,
                    col(Bill.due_date) <= today + timedelta(days=REMINDER_DAYS_BEFORE))
             .order_by(col(Bill.id)))
    queued = 0
    for bill, citizen in session.exec(query).all():
        inquiry = inquiry_for(session=session, bill=bill, on=today, language=citizen.language)
        params = {"agency": inquiry.agency_code, "description": bill.description, "psid": bill.psid,
                  "amount": format_money(inquiry.payable_now or 0, bill.currency), "due": format_date(bill.due_date)}
        row = queue_notification(session=session, kind=REMINDER_KIND, template="sms.notify.bill_reminder",
                                 params=params, citizen=citizen, essential=False,
                                 dedupe_key=f"bill_reminder:{bill.id}")
        queued += row is not None
    return queued
