"""Bills and challans: identity by PSID, the price on a day, issuing, blocking, listing.

Whether a bill can be paid now (paid, blocked, a payment in flight...) is decided by
`payments.payability`, which builds on `amount_payable_on` here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, Protocol

from sqlalchemy import Select, bindparam, update
from sqlalchemy import select as columns_of
from sqlmodel import Session, col, select

from app.bills.models import BILL_KINDS, BLOCKED, PAID, UNPAID, Bill
from app.bills.psid import PSID_LENGTH, normalise_psid
from app.catalogue.models import Agency, name_in
from app.errors import AlreadyExists, BillAlreadyPaid, BillNotFound, ValidationFailed
from app.messages import text
from app.messages.formatting import format_date, format_money
from app.timeutil import today as utc_today

# Built once: making a statement anew costs about as much as sending it (issue 15).
_BY_PSID = select(Bill).where(col(Bill.psid) == bindparam("psid"))
_BY_PSID_LOCKED = _BY_PSID.with_for_update()


def find_bill(*, session: Session, psid: str, lock: bool = False) -> Bill | None:
    """The bill with this PSID, or None; a malformed PSID raises InvalidPsid."""
    return session.exec(_BY_PSID_LOCKED if lock else _BY_PSID, params={"psid": normalise_psid(psid)}).first()


def get_bill(*, session: Session, psid: str, lock: bool = False) -> Bill:
    bill = find_bill(session=session, psid=psid, lock=lock)
    if bill is None:
        raise BillNotFound("No bill with that PSID.")
    return bill


class BillTerms(Protocol):
    """What pricing and describing a bill reads: a `Bill`, or a row of those columns."""

    psid: str
    kind: str
    description: str
    status: str
    currency: str
    due_date: date
    amount_within_due: int
    amount_after_due: int
    paid_at: datetime | None
    citizen_id: int | None


def amount_payable_on(bill: BillTerms, on: date) -> int:
    """The price of a bill on a day: within the due date (inclusive) the base amount, after it the surcharged one."""
    return bill.amount_within_due if on <= bill.due_date else bill.amount_after_due


def is_overdue(bill: BillTerms, on: date) -> bool:
    """An unpaid bill past its due date (it now costs the after-due amount)."""
    return bill.status == UNPAID and on > bill.due_date


@dataclass(frozen=True)
class BillInquiry:
    psid: str
    agency_code: str
    agency_name: str
    kind: str
    description: str
    status: str
    currency: str
    due_date: date
    amount_within_due: int
    amount_after_due: int
    payable_now: int | None
    is_overdue: bool
    paid_at_text: str
    citizen_id: int | None

    def render(self, language: str) -> str:
        """A short, channel-neutral rendering (fits one SMS in English / Roman Urdu)."""
        common = {"agency": self.agency_code, "description": self.description, "psid": self.psid}
        if self.status == BLOCKED:
            return text("bill.blocked", language, **common)
        if self.status == PAID:
            return text("bill.paid", language, paid_on=self.paid_at_text, **common)
        payable = format_money(self.payable_now or 0, self.currency)
        due = format_date(self.due_date)
        if self.is_overdue:
            return text("bill.overdue", language, payable=payable, due=due, **common)
        after = ""
        if self.amount_after_due != self.amount_within_due:
            after = text("bill.unpaid_after_due", language,
                         amount=format_money(self.amount_after_due, self.currency))
        return text("bill.unpaid", language, payable=payable, due=due, after=after, **common)


def inquire_bill(*, session: Session, psid: str, on: date, language: str = "en") -> BillInquiry:
    """What a bill is and what paying it on day `on` costs (after-due surcharge included)."""
    bill = get_bill(session=session, psid=psid)
    return inquiry_for(session=session, bill=bill, on=on, language=language)


def inquiry_for(*, session: Session, bill: Bill, on: date, language: str = "en") -> BillInquiry:
    agency = session.get(Agency, bill.agency_id)
    return _inquiry(bill, agency.code if agency else "", agency.name_in(language) if agency else "", on)


def _inquiry(bill: BillTerms, agency_code: str, agency_name: str, on: date) -> BillInquiry:
    return BillInquiry(
        psid=bill.psid, agency_code=agency_code, agency_name=agency_name, kind=bill.kind,
        description=bill.description, status=bill.status, currency=bill.currency, due_date=bill.due_date,
        amount_within_due=bill.amount_within_due, amount_after_due=bill.amount_after_due,
        payable_now=amount_payable_on(bill, on) if bill.status == UNPAID else None,
        is_overdue=is_overdue(bill, on),
        paid_at_text=format_date(bill.paid_at) if bill.paid_at else "",
        citizen_id=bill.citizen_id,
    )


def issue_bill(
    *, session: Session, agency: Agency, psid: str, kind: str, description: str, amount_within_due: int,
    amount_after_due: int | None, due_date: date, citizen_id: int | None = None, currency: str = "PKR",
    billing_month: str = "", issued_on: date | None = None,
) -> Bill:
    psid = normalise_psid(psid)
    if kind not in BILL_KINDS:
        raise ValidationFailed(f"Bill kind must be one of {', '.join(BILL_KINDS)}.", field_errors={"kind": "unknown"})
    after = amount_within_due if amount_after_due is None else amount_after_due
    if amount_within_due <= 0 or after < amount_within_due:
        raise ValidationFailed("Amounts must be positive and the after-due amount not lower.",
                               field_errors={"amount_after_due": "lower than amount within due date"})
    if session.exec(select(Bill.id).where(Bill.psid == psid)).first():
        raise AlreadyExists("A bill with that PSID already exists.")
    bill = Bill(psid=psid, agency_id=agency.id or 0, kind=kind, description=description.strip()[:200],
                amount_within_due=amount_within_due, amount_after_due=after, currency=currency,
                due_date=due_date, citizen_id=citizen_id, status=UNPAID,
                billing_month=billing_month or due_date.strftime("%y%m"), issued_on=issued_on or utc_today())
    session.add(bill)
    session.flush()
    return bill


# A bill as listings and inquiries read it: its terms and its agency's code and names, as plain columns
# (select them with the agency outer-joined). ORM objects cost twice the query itself (issue 15).
BILL_ROW: tuple[Any, ...] = (
    Bill.id, Bill.psid, Bill.kind, Bill.description, Bill.status, Bill.currency, Bill.due_date,
    Bill.amount_within_due, Bill.amount_after_due, Bill.paid_at, Bill.citizen_id, Bill.issued_on, Bill.billing_month,
    Bill.paid_amount, Bill.settled_by_payment_id, Agency.code, Agency.name_en, Agency.name_ur, Agency.name_ur_latn)


def bill_rows(*more: Any) -> Select[Any]:
    """SELECT `BILL_ROW` (and `more` columns) FROM bill with its agency outer-joined: add the WHERE."""
    return columns_of(*BILL_ROW, *more).outerjoin(Agency, col(Agency.id) == Bill.agency_id)


def inquiry_of(row: Any, on: date, language: str = "en") -> BillInquiry:
    """`inquiry_for` of a `BILL_ROW` row: no query, its agency came with it."""
    name = name_in(language, row.name_en or "", row.name_ur or "", row.name_ur_latn or "")
    return _inquiry(row, row.code or "", name, on)


_UNPAID_OF_CITIZEN = (bill_rows()
                      .where(col(Bill.citizen_id) == bindparam("citizen_id"), col(Bill.status) == UNPAID)
                      .order_by(col(Bill.due_date).desc(), col(Bill.id).desc()))


def unpaid_bills_for(*, session: Session, citizen_id: int) -> list[Any]:
    """Unpaid bills of a citizen, newest due date first, as `BILL_ROW` rows (render with `inquiry_of`)."""
    return list(session.connection().execute(_UNPAID_OF_CITIZEN, {"citizen_id": citizen_id}))


def list_bills(*, session: Session, citizen_id: int, on: date, language: str = "en", status: str | None = None,
               before_id: int | None = None, limit: int = 20) -> list[tuple[int, BillInquiry]]:
    """A citizen's bills, newest first, as inquiries on day `on`, each with its id (the paging key);
    one statement. `before_id` pages backwards."""
    params: dict[str, Any] = {"citizen_id": citizen_id, "limit": limit}
    if status:
        params["status"] = status
    if before_id is not None:
        params["before_id"] = before_id
    rows = session.connection().execute(_listing(bool(status), before_id is not None), params)
    return [(row.id, inquiry_of(row, on, language)) for row in rows]


@cache
def _listing(by_status: bool, paging: bool) -> Select[Any]:
    """The listing statement, built once per shape (building one costs about as much as sending it)."""
    query = bill_rows().where(col(Bill.citizen_id) == bindparam("citizen_id"))
    if by_status:
        query = query.where(col(Bill.status) == bindparam("status"))
    if paging:
        query = query.where(col(Bill.id) < bindparam("before_id"))
    return query.order_by(col(Bill.id).desc()).limit(bindparam("limit"))


def _agency_bill(session: Session, psid: str, agency_id: int | None) -> Bill:
    bill = get_bill(session=session, psid=psid, lock=True)
    if agency_id is not None and bill.agency_id != agency_id:  # another agency's bill does not exist for you
        raise BillNotFound("No bill with that PSID.")
    return bill


def _move_bill(session: Session, bill: Bill, from_status: str, to_status: str) -> Bill:
    # Compare-and-set, so a payment settling at the same moment is never overwritten.
    moved = session.execute(update(Bill).where(col(Bill.id) == bill.id, col(Bill.status) == from_status)
                            .values(status=to_status)).rowcount  # type: ignore[attr-defined]
    session.refresh(bill)
    if not moved and bill.status == PAID:
        raise BillAlreadyPaid("This bill is already paid.")
    return bill


def block_bill(*, session: Session, psid: str, agency_id: int | None = None) -> Bill:
    """Stop a bill being paid (e.g. a challan under dispute); blocking twice changes nothing."""
    bill = _agency_bill(session, psid, agency_id)
    if bill.status == PAID:
        raise BillAlreadyPaid("This bill is already paid.")
    return bill if bill.status == BLOCKED else _move_bill(session, bill, UNPAID, BLOCKED)


def unblock_bill(*, session: Session, psid: str, agency_id: int | None = None) -> Bill:
    """Make a blocked bill payable again; unblocking an unblocked bill changes nothing."""
    bill = _agency_bill(session, psid, agency_id)
    if bill.status == PAID:
        raise BillAlreadyPaid("This bill is already paid.")
    return bill if bill.status == UNPAID else _move_bill(session, bill, BLOCKED, UNPAID)


def generate_psid(*, session: Session) -> str:
    """A fresh random 17-digit PSID (leading digit never 0) not yet used."""
    while True:
        psid = str(secrets.randbelow(9 * 10 ** (PSID_LENGTH - 1)) + 10 ** (PSID_LENGTH - 1))
        if session.exec(select(Bill.id).where(Bill.psid == psid)).first() is None:
            return psid
