"""The API's cursor pagination.

A cursor is the opaque, URL-safe encoding of the sort key of the last item shown; the
next page continues strictly after it (the domain list queries take that key), so
inserts never shift pages.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from app.errors import ValidationFailed

T = TypeVar("T")
MAX_CURSOR_INT = 2**53  # beyond any id; keeps forged cursors inside what every database binds


def encode_cursor(*values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, *shape: type) -> list[Any] | None:
    """The values of a cursor, checked against the expected types (a forged cursor is a 422, not a 500)."""
    if cursor is None:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        values = None
    if (not isinstance(values, list) or len(values) != len(shape)
            or not all(type(v) is kind for v, kind in zip(values, shape, strict=False))
            or any(isinstance(v, int) and abs(v) > MAX_CURSOR_INT for v in values)):
        raise _invalid()
    return values


def _invalid() -> ValidationFailed:
    return ValidationFailed("That cursor is not valid.", field_errors={"cursor": "invalid"})


def cursor_int(cursor: str | None) -> int | None:
    values = decode_cursor(cursor, int)
    return None if values is None else int(values[0])


def cursor_time(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise _invalid() from exc


def page(rows: Sequence[T], limit: int, key: Callable[[T], tuple[Any, ...]]) -> tuple[list[T], str | None]:
    """Rows were fetched with `limit + 1`; the extra row only says whether there is a next page."""
    shown = list(rows[:limit])
    if len(rows) <= limit or not shown:
        return shown, None
    return shown, encode_cursor(*key(shown[-1]))
