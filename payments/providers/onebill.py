"""The 1LINK 1Bill biller protocol: field validation and the wire format of our answers.

Amounts in answers are AN14 (`+` and 13 digits of paisa, e.g. `+0000000150000` for
PKR 1,500.00); `transaction_amount` and `amount_paid` are 12 digits of paisa; dates
are YYYYMMDD.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.bills.models import BLOCKED, PAID
from app.bills.service import BillInquiry

OK = "00"
UNKNOWN_CONSUMER = "01"
BLOCKED_CONSUMER = "02"
DUPLICATE_OR_BAD_TRANSACTION = "03"
INVALID_DATA = "04"
SERVICE_FAIL = "05"  # the biller cannot answer now (database or Redis down): the bank retries later

_DIGITS = re.compile(r"^\d{1,24}$")
_AMOUNT = re.compile(r"^\d{12}$")
_TRAN_AUTH_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")
_MNEMONIC = re.compile(r"^[A-Za-z0-9]{1,16}$")


class InvalidField(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"invalid {name}")
        self.field = name


@dataclass(frozen=True)
class InquiryRequest:
    consumer_number: str
    bank_mnemonic: str


@dataclass(frozen=True)
class PaymentRequest:
    consumer_number: str
    tran_auth_id: str
    amount: int
    paid_at: datetime
    bank_mnemonic: str


def _field(payload: dict[str, Any], name: str, pattern: re.Pattern[str]) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not pattern.match(value.strip()):
        raise InvalidField(name)
    return value.strip()


def parse_inquiry(payload: dict[str, Any]) -> InquiryRequest:
    return InquiryRequest(consumer_number=_field(payload, "consumer_number", _DIGITS),
                          bank_mnemonic=_field(payload, "bank_mnemonic", _MNEMONIC))


def parse_payment(payload: dict[str, Any]) -> PaymentRequest:
    consumer_number = _field(payload, "consumer_number", _DIGITS)
    tran_auth_id = _field(payload, "tran_auth_id", _TRAN_AUTH_ID)
    amount = int(_field(payload, "transaction_amount", _AMOUNT))
    if amount <= 0:
        raise InvalidField("transaction_amount")
    day = _field(payload, "tran_date", re.compile(r"^\d{8}$"))
    time = _field(payload, "tran_time", re.compile(r"^\d{6}$"))
    try:
        paid_at = datetime.strptime(day + time, "%Y%m%d%H%M%S")
    except ValueError as exc:
        raise InvalidField("tran_date/tran_time") from exc
    return PaymentRequest(consumer_number=consumer_number, tran_auth_id=tran_auth_id, amount=amount,
                          paid_at=paid_at, bank_mnemonic=_field(payload, "bank_mnemonic", _MNEMONIC))


def an14(paisa: int) -> str:
    return f"{'-' if paisa < 0 else '+'}{abs(paisa):013d}"


def yyyymmdd(value: date | datetime | None) -> str:
    return value.strftime("%Y%m%d") if value else ""


EMPTY_INQUIRY = {"consumer_Detail": "", "bill_status": "", "due_date": "", "amount_within_dueDate": "",
                 "amount_after_dueDate": "", "billing_month": "", "date_paid": "", "amount_paid": "",
                 "tran_auth_Id": "", "reserved": ""}


def inquiry_answer(code: str, inquiry: BillInquiry | None = None, *, blocked: bool = False,
                   billing_month: str = "", paid_on: datetime | None = None, paid_amount: int | None = None,
                   tran_auth_id: str | None = None) -> dict[str, str]:
    """`blocked`: the bill cannot be paid now (blocked by the agency, or a payment in flight)."""
    if inquiry is None:
        return {"response_Code": code, **EMPTY_INQUIRY}
    status = "P" if inquiry.status == PAID else "B" if blocked or inquiry.status == BLOCKED else "U"
    answer = {
        "response_Code": code,
        "consumer_Detail": f"{inquiry.agency_code} {inquiry.description}"[:30],
        "bill_status": status,
        "due_date": yyyymmdd(inquiry.due_date),
        "amount_within_dueDate": an14(inquiry.amount_within_due),
        "amount_after_dueDate": an14(inquiry.amount_after_due),
        "billing_month": billing_month,
        "date_paid": "", "amount_paid": "", "tran_auth_Id": "", "reserved": "",
    }
    if status == "P":
        answer.update(date_paid=yyyymmdd(paid_on), amount_paid=f"{paid_amount or 0:012d}",
                      tran_auth_Id=tran_auth_id or "")
    return answer


def payment_answer(code: str, identification: str = "") -> dict[str, str]:
    return {"response_Code": code, "Identification_parameter": identification, "reserved": ""}
