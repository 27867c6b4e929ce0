"""The one masking rule for texts that carry a one-time code (sign-in OTP, SMS PAY confirmation).

Every place that shows or logs such a text (the API's message history, the console
SMS provider, logs, the console, the simulator's panel) masks it with `redact`.
"""

from __future__ import annotations

import re

# Kinds of message whose body carries a one-time code.
SECRET_KINDS = frozenset({"otp", "pay_code"})
# A code is a run of 4 to 8 digits standing alone: not part of a 17-digit PSID, nor of an amount
# such as 12,350 or 1,500.50 (a separator between digits joins them).
_CODE = re.compile(r"(?<!\d)(?<!\d[,.])\d{4,8}(?!\d)(?![,.]\d)")


def carries_code(kind: str) -> bool:
    return kind in SECRET_KINDS


def redact(body: str, kind: str) -> str:
    """`body` with every one-time code masked digit for digit, when `kind` is one that carries a code."""
    if not carries_code(kind):
        return body
    return _CODE.sub(lambda match: "*" * len(match.group()), body)


def find_codes(body: str) -> list[str]:
    """The one-time codes in a text as sent (development tools only: `rabta outbox tail --code`)."""
    return _CODE.findall(body)


def mask_entry(value: str) -> str:
    """A secret someone typed (a PIN at a prompt) as shown anywhere: never its digits, nor its length."""
    return "****" if value else ""
