"""Money and date formatting for citizen texts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

CURRENCY_SYMBOLS = {"PKR": "Rs"}
# The calendar a moment is shown on (TIMEZONE, set by `app.bootstrap`): a payment at 00:30 in Karachi was
# paid "today" there, though it is still yesterday in UTC.
_display_zone = ZoneInfo("Asia/Karachi")


def configure(zone_name: str) -> None:
    global _display_zone
    _display_zone = ZoneInfo(zone_name)


def format_money(paisa: int, currency: str = "PKR") -> str:
    """`150000` -> `Rs 1,500`; paisa are shown only when there are some."""
    rupees, cents = divmod(abs(paisa), 100)
    sign = "-" if paisa < 0 else ""
    symbol = CURRENCY_SYMBOLS.get(currency, currency)
    amount = f"{rupees:,}" if not cents else f"{rupees:,}.{cents:02d}"
    return f"{sign}{symbol} {amount}"


def format_date(value: date | datetime) -> str:
    """`2026-12-08` -> `08-12-2026`, the order Pakistani citizens read. A moment (stored in UTC) is shown on
    the deployment's calendar."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        value = moment.astimezone(_display_zone).date()
    return value.strftime("%d-%m-%Y")
