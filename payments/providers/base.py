"""What every wallet provider adapter offers: start a charge, query it, verify and parse a callback.

Adapters turn the provider's wire format into these dataclasses and its failures
into the three exception kinds below; nothing outside `payments/providers/` knows a
provider's URLs, field names or signing scheme.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Charge states as the rest of payments sees them.
CHARGE_PENDING = "pending"
CHARGE_SUCCEEDED = "succeeded"
CHARGE_FAILED = "failed"
CHARGE_NOT_FOUND = "not_found"

# Failure reasons we can explain to a citizen (see payments/texts.py "payment.reason.*").
KNOWN_REASONS = frozenset({"declined", "insufficient_funds", "invalid_account", "provider_unavailable"})


def reason_code(raw: str | None) -> str:
    return raw if raw in KNOWN_REASONS else "provider_error"


@dataclass(frozen=True)
class ChargeRequest:
    merchant_reference: str
    amount: int
    currency: str
    msisdn: str
    description: str = ""


@dataclass(frozen=True)
class ChargeStatus:
    state: str
    merchant_reference: str
    provider_reference: str | None = None
    amount: int | None = None
    currency: str | None = None
    reason: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CallbackEvent:
    event_id: str
    merchant_reference: str
    provider_reference: str
    state: str
    amount: int
    currency: str
    reason: str | None
    raw: dict[str, Any]


@dataclass(frozen=True)
class RefundRequest:
    refund_reference: str  # ours, unique per refund: asking twice refunds once
    merchant_reference: str  # the charge being refunded
    amount: int
    currency: str


REFUND_SUCCEEDED = "succeeded"


@dataclass(frozen=True)
class RefundStatus:
    state: str
    refund_reference: str
    provider_reference: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


class ProviderError(Exception):
    """The provider could not do what we asked."""


class TransientProviderError(ProviderError):
    """Timeouts, connection errors, 5xx: worth retrying with backoff."""


class PermanentProviderError(ProviderError):
    """The provider refused for good; `reason` is one of KNOWN_REASONS or provider_error."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason_code(reason)


class InvalidSignature(Exception):
    """A callback whose signature is missing, stale or wrong."""


class MalformedCallback(Exception):
    """A signed callback we cannot parse."""


class WalletProvider(ABC):
    name: str
    title: str  # what payers call it, e.g. "JazzCash"

    @abstractmethod
    def start_charge(self, request: ChargeRequest) -> ChargeStatus:
        """Ask the payer's wallet to approve a charge; idempotent on `merchant_reference`."""

    @abstractmethod
    def query_charge(self, *, merchant_reference: str, provider_reference: str | None) -> ChargeStatus:
        """The provider's current word on a charge (state `not_found` if it never saw it)."""

    def refund(self, request: RefundRequest) -> RefundStatus:
        """Send a charge's money back to the payer; idempotent on `refund_reference`. Raises
        TransientProviderError (retry) or PermanentProviderError (the provider refused)."""
        raise PermanentProviderError("provider_error", f"{self.name} cannot refund")

    @abstractmethod
    def parse_callback(self, *, body: bytes, headers: Mapping[str, str]) -> CallbackEvent:
        """Verify (raise InvalidSignature) and parse (raise MalformedCallback) a callback."""
