"""Money and date formatting for citizen texts."""

from __future__ import annotations

from datetime import date, datetime

CURRENCY_SYMBOLS = {"PKR": "Rs"}


def format_money(paisa: int, currency: str = "PKR") -> str:
    """`150000` -> `Rs 1,500`; paisa are shown only when there are some."""
    rupees, cents = divmod(abs(paisa), 100)
    sign = "-" if paisa < 0 else ""
    symbol = CURRENCY_SYMBOLS.get(currency, currency)
    amount = f"{rupees:,}" if not cents else f"{rupees:,}.{cents:02d}"
    return f"{sign}{symbol} {amount}"


def format_date(value: date | datetime) -> str:
    """`2026-12-08` -> `08-12-2026`, the order Pakistani citizens read."""
    if isinstance(value, datetime):
        value = value.date()
    return value.strftime("%d-%m-%Y")
