"""Pure parsing of what a caller typed, and the pure tests Branch screens use.

A parser returns the normalised value or raises `Rejected` with the short reason
shown above the re-prompt. Inputs arrive from feature phones: expect spaces,
dashes, `*`, `#`, letters where digits belong, Urdu script, emoji and kilobytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from app.applications.tracking import normalise_tracking_number
from app.bills.psid import normalise_psid
from app.citizens.identity import normalise_cnic
from app.citizens.pins import looks_like_pin, pin_required_to_pay
from app.errors import ValidationFailed
from payments.verification import normalise_reference

MAX_INPUT_CHARS = 64  # nothing a caller legitimately types is longer
_CHOICE = re.compile(r"^\d{1,3}$")


class Rejected(Exception):
    def __init__(self, reason: str, **params: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


def _bounded(raw: str, reason: str) -> str:
    value = raw.strip()
    if not value:
        raise Rejected("ussd.reason.empty")
    if len(value) > MAX_INPUT_CHARS:
        raise Rejected(reason)
    return value


def _normalised(raw: str, normalise: Callable[[str], str], reason: str) -> str:
    """The domain's one normalisation of an identifier; its refusal becomes the re-prompt reason."""
    try:
        return normalise(_bounded(raw, reason))
    except ValidationFailed as exc:
        raise Rejected(reason) from exc


def parse_psid(raw: str) -> str:
    return _normalised(raw, normalise_psid, "error.invalid_psid")


def parse_tracking(raw: str) -> str:
    return _normalised(raw, normalise_tracking_number, "error.invalid_tracking")


def parse_cnic(raw: str) -> str:
    return _normalised(raw, normalise_cnic, "error.invalid_cnic")


def parse_reference(raw: str) -> str:
    return _normalised(raw, normalise_reference, "error.invalid_reference")


def parse_pin(raw: str) -> str:
    value = _bounded(raw, "ussd.reason.pin_format")
    if not looks_like_pin(value):
        raise Rejected("ussd.reason.pin_format")
    return value


def parse_choice(raw: str) -> int:
    """A menu or list number. Non-ASCII digits (Urdu/Arabic-Indic) are not accepted."""
    value = _bounded(raw, "ussd.reason.choice")
    if not (value.isascii() and _CHOICE.match(value)):
        raise Rejected("ussd.reason.choice")
    return int(value)


PARSERS: dict[str, Callable[[str], str]] = {
    "psid": parse_psid,
    "tracking": parse_tracking,
    "cnic": parse_cnic,
    "pin": parse_pin,
    "reference": parse_reference,
}

# Branch tests read only the session state (duck-typed to avoid an import cycle).
PREDICATES: dict[str, Callable[[Any], bool]] = {
    "has_pin": lambda state: bool(state.citizen_id and state.has_pin),
    "pin_required": lambda state: bool(state.citizen_id)
    and pin_required_to_pay(has_pin=state.has_pin, channel="ussd"),
    "several_wallets": lambda state: len(state.data.get("wallets") or []) > 1,
}
